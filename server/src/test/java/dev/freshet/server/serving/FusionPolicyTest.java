package dev.freshet.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FusionPolicyTest {

    @TempDir
    Path dataDir;

    private final LanguageModel model = TestModels.model();
    private final FusionPolicy policy = new FusionPolicy(0.8, 20);
    private AdapterRegistry registry;

    @BeforeEach
    void open() throws Exception {
        registry = new AdapterRegistry(model, new AdapterStore(dataDir), RegistryListener.NONE);
        registry.promote("acme", TestModels.candidate(model, 1, 0.5f));
        registry.promote("globex", TestModels.candidate(model, 1, 0.5f));
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private void requests(String model, int n) {
        for (int i = 0; i < n; i++) {
            registry.acquire(model).close();
        }
    }

    @Test
    void aDominantTenantIsServedFusedWithTheSameScoresAndOpenLeasesKeepTheirForm() throws Exception {
        Lease before = registry.acquire("acme");
        requests("acme", 30);
        requests("globex", 3);
        assertEquals(Optional.of("acme"), policy.tick(registry));

        Lease after = registry.acquire("acme");
        assertSame(Adaptation.NONE, after.adaptation(), "a fused lease applies no adapter ...");
        assertNotSame(model.weights(), after.parameters(), "... and reads W + ΔW");
        assertSame(model.weights(), before.parameters(), "a lease taken before fusing keeps the applied form");
        double applied = model.score("Q: Where was Tovrak Melun born?\nA:", " Sarvel", before.parameters(), before.adaptation()).total();
        double fused = model.score("Q: Where was Tovrak Melun born?\nA:", " Sarvel", after.parameters(), after.adaptation()).total();
        assertEquals(applied, fused, 1e-4, "the fused form serves what the applied adapter serves (the reference)");
        before.close();
        after.close();

        requests("acme", 30);
        assertEquals(Optional.empty(), policy.tick(registry), "already fused: nothing to do");
        assertSame(model.weights(), registry.acquire("globex").parameters(), "other tenants stay unfused");
    }

    @Test
    void aNewVersionFreesTheFusedCopyAndIsFusedAgainIfTheTenantStillDominates() throws Exception {
        requests("acme", 25);
        assertEquals(Optional.of("acme"), policy.tick(registry));
        Adapter v2 = TestModels.candidate(model, 2, 0.5f);
        registry.promote("acme", v2);
        Lease l = registry.acquire("acme");
        assertSame(model.weights(), l.parameters(), "v2 starts unfused");
        l.close();
        requests("acme", 25);
        assertEquals(Optional.of("acme"), policy.tick(registry));
        try (Lease fused = registry.acquire("acme")) {
            assertEquals(2, fused.version());
            assertSame(Adaptation.NONE, fused.adaptation());
        }
    }

    @Test
    void noFusionWithoutAClearMajorityOrEnoughTrafficOrForTheBaseModel() {
        requests("acme", 15);
        requests("globex", 15);
        assertEquals(Optional.empty(), policy.tick(registry), "50/50 is no majority");
        requests("acme", 10);
        assertEquals(Optional.empty(), policy.tick(registry), "too few requests to bother");
        requests("base", 40);
        assertEquals(Optional.empty(), policy.tick(registry), "the base model has nothing to fuse");
        assertFalse(registry.fuse("base"));
        assertThrows(IllegalArgumentException.class, () -> new FusionPolicy(0.5, 10));
    }
}
