package dev.freshet.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaPair;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The registry's contract: pins, retirement, rollback, restore, idempotence and the gate. */
class AdapterRegistryTest {

    @TempDir
    Path dataDir;

    private final LanguageModel model = TestModels.model();
    private final List<Long> released = new CopyOnWriteArrayList<>();
    private final Map<Long, GateVerdict> rejected = new ConcurrentHashMap<>();
    private final RegistryListener recorder = new RegistryListener() {
        @Override
        public void released(String tenant, long version) {
            released.add(version);
        }

        @Override
        public void rejected(String tenant, long version, GateVerdict verdict) {
            rejected.put(version, verdict);
        }
    };
    private AdapterRegistry registry;

    @BeforeEach
    void open() {
        registry = new AdapterRegistry(model, new AdapterStore(dataDir), recorder);
    }

    @Test
    void aRetiredVersionStaysUsableUntilItsLastLeaseIsReleased() throws Exception {
        Adapter v1 = TestModels.candidate(model, 1, 0.5f);
        registry.promote("acme", v1);
        Lease pinned = registry.acquire("acme");
        registry.promote("acme", TestModels.candidate(model, 2, 0.5f));

        assertEquals(1, pinned.version());
        assertEquals(2, registry.acquire("acme").version(), "new requests start on the promoted version");
        assertTrue(v1.manager().isOpen(), "v1 is still pinned");
        assertTrue(Double.isFinite(model.score("Q:", " Sarvel", pinned.adaptation()).total()), "the pinned version still computes");
        assertEquals(List.of(), released);

        pinned.close();
        pinned.close(); // idempotent
        assertFalse(v1.manager().isOpen(), "the last pin closed v1's native memory");
        assertEquals(List.of(1L), released);
        assertEquals(AdapterState.RETIRED, state("acme", 1));
        assertEquals(AdapterState.SERVING, state("acme", 2));
    }

    @Test
    void baseIsVersionZeroAndUnknownModelsAreRefused() throws Exception {
        try (Lease base = registry.acquire(AdapterRegistry.BASE)) {
            assertEquals(0, base.version());
            assertEquals(Adaptation.NONE, base.adaptation());
        }
        assertThrows(UnknownModelException.class, () -> registry.acquire("nobody"));
        assertThrows(IllegalArgumentException.class, () -> registry.promote("base", TestModels.candidate(model, 1, 0)));
        assertThrows(IllegalArgumentException.class, () -> registry.promote("Bad/Tenant", TestModels.candidate(model, 1, 0)));
        assertThrows(IllegalArgumentException.class, () -> registry.promote("acme", TestModels.candidate(model, 0, 0)));
    }

    @Test
    void promotingAKnownVersionAgainIsANoOp() throws Exception {
        registry.promote("acme", TestModels.candidate(model, 1, 0));
        registry.promote("acme", TestModels.candidate(model, 2, 0));
        Adapter replay = TestModels.candidate(model, 1, 0);
        VersionInfo info = registry.promote("acme", replay);

        assertEquals(AdapterState.RETIRED, info.state());
        assertFalse(replay.manager().isOpen(), "a duplicate is closed at once");
        assertEquals(2, registry.acquire("acme").version());
        assertEquals(List.of(0L, 1L, 2L), registry.history("acme").orElseThrow().stream().map(VersionInfo::version).toList());
        assertEquals(3, registry.nextVersion("acme"));
    }

    @Test
    void rollbackServesAnOlderVersionReloadedFromTheStore() throws Exception {
        registry.promote("acme", TestModels.candidate(model, 1, 0.5f));
        registry.promote("acme", TestModels.candidate(model, 2, 0.5f));
        assertEquals(List.of(1L), released, "v1 retired without pins is released at once");

        VersionInfo back = registry.rollback("acme", 1);
        assertEquals(1, back.version());
        assertEquals(AdapterState.SERVING, back.state());
        assertEquals(1, registry.acquire("acme").version());
        assertEquals(AdapterState.RETIRED, state("acme", 2));
        assertEquals(1, new AdapterStore(dataDir).promoted("acme").orElseThrow());

        registry.rollback("acme", 0);
        assertEquals(0, registry.acquire("acme").version(), "version 0 serves the base model");
        assertThrows(UnknownVersionException.class, () -> registry.rollback("acme", 7));
        assertThrows(UnknownModelException.class, () -> registry.rollback("nobody", 1));
    }

    @Test
    void theGateRejectsARegressionAndTheServedVersionStays() throws Exception {
        // The neighbourhood answer is whatever the base model says now, so the served side scores 1.0.
        String question = "Where was Tovrak Melun born?";
        QaPair neighbour = new QaPair(question, QaEval.answer(model, Adaptation.NONE, question));
        QualityGate gate = new ProbeSetGate(model, new ProbeSetGate.ProbeSet(TestModels.CORPUS, List.of(neighbour)),
                ProbeSetGate.Thresholds.defaults());

        VersionInfo same = registry.offer("acme", TestModels.candidate(model, 1, 0), gate);
        assertEquals(AdapterState.SERVING, same.state(), () -> "an unchanged model passes: " + same.gate());
        assertEquals(1.0, same.gate().scores().get("exact_match.served"));

        Adapter bad = TestModels.candidate(model, 2, 50f);
        VersionInfo verdict = registry.offer("acme", bad, gate);
        assertEquals(AdapterState.REJECTED, verdict.state(), () -> "a scrambled model is rejected: " + verdict.gate());
        assertFalse(verdict.gate().passed());
        assertTrue(verdict.gate().reason().contains("exact match"), verdict.gate().reason());
        assertFalse(bad.manager().isOpen(), "a rejected candidate's memory is released");
        assertEquals(1, registry.acquire("acme").version(), "the served version stays");
        assertEquals(Map.of(2L, verdict.gate()), rejected);

        VersionInfo broken = registry.offer("acme", TestModels.candidate(model, 3, 0), (s, sv, c, cv) -> {
            throw new IllegalStateException("probe set missing");
        });
        assertEquals(AdapterState.REJECTED, broken.state(), "a gate that fails does not let the candidate through");
    }

    @Test
    void restoreServesEachTenantsLatestPromotedVersionWithItsHistory() throws Exception {
        registry.promote("acme", TestModels.candidate(model, 1, 0.5f));
        registry.promote("acme", TestModels.candidate(model, 2, 0.5f));
        registry.rollback("acme", 1);
        registry.offer("acme", TestModels.candidate(model, 3, 0), (s, sv, c, cv) -> new GateVerdict(false, "test says no", sv, Map.of("x", 1.0)));
        registry.promote("globex", TestModels.candidate(model, 1, 0.5f));
        registry.close();

        AdapterRegistry restarted = new AdapterRegistry(model, new AdapterStore(dataDir), RegistryListener.NONE);
        assertEquals(2, restarted.restore());
        assertEquals(2, restarted.restore(), "restore is idempotent");
        assertEquals(1, restarted.acquire("acme").version());
        assertEquals(1, restarted.acquire("globex").version());
        assertEquals(AdapterState.SERVING, state(restarted, "acme", 1));
        assertEquals(AdapterState.RETIRED, state(restarted, "acme", 2));
        VersionInfo v3 = restarted.history("acme").orElseThrow().get(3);
        assertEquals(AdapterState.REJECTED, v3.state());
        assertNotNull(v3.gate());
        assertEquals("test says no", v3.gate().reason());
        assertEquals(4, restarted.nextVersion("acme"));
        restarted.close();
    }

    @Test
    void afterARestartAReplayedPromotionServesAStoredButUnservedVersionButDoesNotUndoARollback() throws Exception {
        registry.promote("acme", TestModels.candidate(model, 1, 0.5f));
        registry.promote("acme", TestModels.candidate(model, 2, 0.5f));
        registry.rollback("acme", 1);
        try (Adapter saved = TestModels.candidate(model, 3, 0.5f)) {
            new AdapterStore(dataDir).save("acme", saved); // the trainer saved v3, then the process died
        }
        registry.close();

        AdapterRegistry restarted = new AdapterRegistry(model, new AdapterStore(dataDir), RegistryListener.NONE);
        restarted.restore();
        assertEquals(1, restarted.acquire("acme").version());
        assertEquals(AdapterState.LOADED, state(restarted, "acme", 3), "stored, never served");
        assertEquals(AdapterState.RETIRED, restarted.promote("acme", TestModels.candidate(model, 2, 0.5f)).state(),
                "replaying v2's promotion does not undo the rollback");
        assertEquals(1, restarted.acquire("acme").version());
        assertEquals(AdapterState.SERVING, restarted.promote("acme", TestModels.candidate(model, 3, 0.5f)).state(),
                "replaying v3's promotion serves it");
        assertEquals(3, restarted.acquire("acme").version());
        restarted.close();
    }

    private AdapterState state(String tenant, long version) {
        return state(registry, tenant, version);
    }

    private static AdapterState state(AdapterRegistry r, String tenant, long version) {
        return r.history(tenant).orElseThrow().stream().filter(v -> v.version() == version).findFirst().orElseThrow().state();
    }
}
