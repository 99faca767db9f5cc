package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.serving.AdapterRegistry;
import dev.freshet.server.serving.AdapterState;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.GateVerdict;
import dev.freshet.server.serving.QualityGate;
import dev.freshet.server.serving.RegistryListener;
import dev.freshet.streams.record.TenantId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serving sink stores before it offers, says which way the gate went, and reports records only when they are served. */
class RegistrySinkTest {

    private static final TenantId ACME = new TenantId("acme");

    @TempDir
    Path dataDir;

    private static CoveredRecords covered(String id, long offset) {
        return new CoveredRecords(List.of(new CoveredRecords.Entry(CoveredRecords.Kind.DOCUMENT, id, "freshet.documents", 0, offset, 1000 + offset)));
    }

    @Test
    void aRejectedVersionIsStillDurableButItsRecordsAreNotReportedServedByTheNextPromotedOne() throws Exception {
        LanguageModel model = dev.freshet.server.serving.TestModels.model();
        AdapterStore store = new AdapterStore(dataDir);
        QualityGate rejectsV1 = (served, sv, candidate, cv) -> cv == 1 ? new GateVerdict(false, "test rejects v1", sv, Map.of())
                : GateVerdict.unchecked(sv);
        List<String> served = new ArrayList<>();
        try (AdapterRegistry registry = new AdapterRegistry(model, store, RegistryListener.NONE)) {
            RegistrySink sink = new RegistrySink(store, registry, rejectsV1,
                    (tenant, version, records) -> records.forEach(r -> served.add(tenant.value() + " v" + version + " " + r.id())));

            assertEquals(VersionSink.Outcome.REJECTED, sink.accept(ACME, dev.freshet.server.serving.TestModels.candidate(model, 1, 0f), covered("a", 0)));
            assertTrue(store.contains(ACME.value(), 1), "the rejected version is stored: its manifest records 'a' as applied");
            assertEquals(AdapterState.REJECTED, registry.history(ACME.value()).orElseThrow().get(1).state());
            assertEquals(List.of(), served);

            assertEquals(VersionSink.Outcome.SERVED, sink.accept(ACME, dev.freshet.server.serving.TestModels.candidate(model, 2, 0f), covered("b", 1)));
            assertEquals(Long.valueOf(2), registry.snapshot().versions().get(ACME.value()));
            assertEquals(List.of("acme v2 b"), served, "v2 was trained from the served version, so it holds 'b' but not the rejected 'a'");
        }
    }
}
