package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.adaptation.train.StepResult;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The training worker on a tiny real model and a real adapter store, without Kafka. */
@Timeout(120)
class TrainingWorkerTest {

    private static final TenantId ACME = Items.TENANT;
    private static LanguageModel model;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void loadModel() {
        model = TestModels.tiny(7);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private static TrainingSettings settings(int batch) {
        return TrainingSettings.defaults(ModelConfig.Family.GPT2).withBatching(batch, Duration.ofMillis(200), 16);
    }

    /** Records the names of the threads steps ran on, and what was skipped. */
    static final class Recorder implements TrainingEvents {
        final Set<String> stepThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final List<String> skipped = new CopyOnWriteArrayList<>();
        final AtomicInteger refusedSteps = new AtomicInteger();
        final AtomicInteger sinkFailures = new AtomicInteger();
        final List<String> gateRejected = new CopyOnWriteArrayList<>();

        @Override
        public void stepped(TenantId tenant, String method, StepResult result, int tokens, long nanos) {
            stepThreads.add(Thread.currentThread().getName());
            if (!result.applied()) {
                refusedSteps.incrementAndGet();
            }
        }

        @Override
        public void skipped(WorkItem item) {
            skipped.add(item.id() + "@" + item.origin().offset());
        }

        @Override
        public void sinkFailed(TenantId tenant, long version, IOException error) {
            sinkFailures.incrementAndGet();
        }

        @Override
        public void gateRejected(TenantId tenant, long version, List<WorkItem> records, String verdict) {
            records.forEach(r -> gateRejected.add("v" + version + " " + r.id() + ": " + verdict));
        }
    }

    @Test
    void afterAGateRejectionTrainingResumesFromTheServedVersionAndTheRejectedRecordsStayCovered() throws Exception {
        AdapterStore store = new AdapterStore(dataDir);
        // Rejects the first version, as the registry's gate would: stored, with a REJECTED history record.
        AtomicInteger calls = new AtomicInteger();
        VersionSink gated = (tenant, candidate, covered) -> {
            try (candidate) {
                store.save(tenant.value(), candidate);
                if (calls.incrementAndGet() == 1) {
                    store.writeHistoryRecord(tenant.value(), dev.freshet.server.serving.VersionInfo.of(candidate.manifest(),
                            dev.freshet.server.serving.AdapterState.REJECTED, new dev.freshet.server.serving.GateVerdict(false, "test", 0, Map.of())));
                    return VersionSink.Outcome.REJECTED;
                }
                return VersionSink.Outcome.SERVED;
            }
        };
        TrainingQueue queue = new TrainingQueue(16);
        Items.Outcomes outcomes = new Items.Outcomes();
        Recorder events = new Recorder();
        try (TrainingWorker worker = worker(settings(1), queue, store, gated, events)) {
            worker.start();
            queue.offer(Items.document("d1", 0, outcomes));
            await(() -> outcomes.byId.size() == 1);
            queue.offer(Items.document("d1", 1, outcomes)); // re-delivered: covered by the rejected v1, not trained again
            queue.offer(Items.document("d2", 2, outcomes));
            await(() -> outcomes.byId.size() == 3);
        }
        assertEquals(List.of("v1 d1: test"), events.gateRejected, "the rejected version's record is reported once, with the verdict from the history");
        assertEquals(List.of(1L, 2L), store.versions(ACME.value()));
        AdapterManifest v2 = store.manifest(ACME.value(), 2);
        assertEquals(0, v2.parentVersion(), "v2 was trained from the served version (the base model), not from the rejected v1");
        assertEquals(Set.of("d2"), CoveredRecords.idsIn(v2.extra(), CoveredRecords.Kind.DOCUMENT));
    }

    @Test
    void releasedPartitionsAreNeverTrainedHereAndTheirRecordsStayUncommitted() throws Exception {
        AdapterStore store = new AdapterStore(dataDir);
        TrainingQueue queue = new TrainingQueue(16);
        // A long batching window: the release below arrives while the batch is still being formed.
        TrainingSettings s = TrainingSettings.defaults(ModelConfig.Family.GPT2).withBatching(16, Duration.ofSeconds(2), 16);
        Items.Outcomes outcomes = new Items.Outcomes();
        try (TrainingWorker worker = new TrainingWorker(model, s, queue, TrainingWorker.Learners.defaults(s), store, new LocalStoreSink(store),
                ServingPressure.NONE, new Recorder())) {
            worker.start();
            WorkItem.Document kept = Items.document("kept", 0, outcomes);
            queue.offer(Items.document("gone-1", 0, outcomes));
            queue.offer(new WorkItem.Document(kept.tenant(), kept.document(),
                    new Origin("t.documents", 1, 0, 1_000, outcomes.receipt("kept@0"))));
            queue.offer(Items.document("gone-2", 1, outcomes));
            worker.release(List.of(new org.apache.kafka.common.TopicPartition("t.documents", 0))).toCompletableFuture()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            await(() -> outcomes.byId.size() == 1);
            Thread.sleep(300);
        }
        assertEquals(Map.of("kept@0", "durable"), outcomes.byId, "records of the released partition got no outcome: re-delivered elsewhere");
        assertEquals(Set.of("kept"), CoveredRecords.idsIn(store.manifest(ACME.value(), 1).extra(), CoveredRecords.Kind.DOCUMENT));
    }

    @Test
    void aNanRecordIsDeadLetteredWhileTheRestOfItsBatchTrains() throws Exception {
        AdapterStore store = new AdapterStore(dataDir);
        TrainingQueue queue = new TrainingQueue(16);
        TokenWeights poison = (doc, tokens) -> {
            float[] w = TokenWeights.UNIFORM.weights(doc, tokens);
            if (doc.id().equals("poison")) {
                java.util.Arrays.fill(w, Float.NaN); // the loss of this document alone is NaN
            }
            return w;
        };
        TrainingSettings s = settings(3);
        var learners = new TrainingWorker.Learners(new WeightedDocumentLearner("uniform", poison, 1, 8), BreadthFirstEditLearner.of(s));
        Recorder events = new Recorder();
        Items.Outcomes outcomes = new Items.Outcomes();
        try (TrainingWorker worker = new TrainingWorker(model, s, queue, learners, store, new LocalStoreSink(store), ServingPressure.NONE, events)) {
            worker.start();
            queue.offer(Items.document("d1", 0, outcomes));
            queue.offer(Items.document("poison", 1, outcomes));
            queue.offer(Items.document("d2", 2, outcomes));
            await(() -> outcomes.byId.size() == 3);
        }
        assertEquals(Map.of("d1@0", "durable", "poison@1", "nan_loss", "d2@2", "durable"), outcomes.byId);
        assertEquals(List.of(1L), store.versions(ACME.value()));
        AdapterManifest v1 = store.manifest(ACME.value(), 1);
        assertEquals(Set.of("d1", "d2"), CoveredRecords.idsIn(v1.extra(), CoveredRecords.Kind.DOCUMENT));
        // One refused step for the batch, one for the poisoned document alone; d1 and d2 then train alone.
        assertEquals(2, events.refusedSteps.get());
        assertEquals(2.0, v1.metrics().get("train_steps"));
        assertEquals(Set.of("freshet-train-cpu-0"), events.stepThreads, "steps run on the device's named training thread");
        try (Adapter stored = store.load(ACME.value(), 1, model)) {
            double moved = 0;
            for (Map.Entry<String, NDArray> e : stored.tensors().entrySet()) {
                if (e.getKey().endsWith("lora_B.weight")) {
                    moved += e.getValue().abs().sum().getFloat();
                }
            }
            assertTrue(moved > 0, "LoRA B starts at zero; the healthy documents must have moved it");
        }
    }

    /**
     * One document, one step from LoRA B = 0: with τ = ½ the version holds half the trained B (the slow copy,
     * ½·0 + ½·fast), with τ = 1 it holds B = 0 although the step was taken, and without MWI the trained B.
     */
    @Test
    void withMwiAVersionHoldsTheSlowCopy() throws Exception {
        float[] trained = versionLoraB(TrainingSettings.OFF, "plain");
        float[] half = versionLoraB(new MwiSettings(0.5, 1, MwiSettings.ResetPolicy.NEVER), "half");
        float[] frozen = versionLoraB(new MwiSettings(1.0, 1, MwiSettings.ResetPolicy.NEVER), "frozen");
        double moved = 0;
        for (int i = 0; i < trained.length; i++) {
            moved += Math.abs(trained[i]);
            assertEquals(0.5f * trained[i], half[i], 1e-6f, "B[" + i + "]");
            assertEquals(0f, frozen[i], "B[" + i + "]");
        }
        assertTrue(moved > 0, "the step must have moved B for the check to mean anything");
    }

    /**
     * One document and one edit in a version. At τ = 1 over every tensor the version is the base model: the edit is held
     * back too. Under the documents scope the edit's dense delta is served as trained, and trained over the slow copy of
     * the documents' tensors: at τ = 1 that is the base model, so the delta is exactly the one the edit learns alone. At
     * τ = ½ the document's LoRA B is half the trained one: its one step is one interpolation, however many steps the edit
     * took. Over every tensor the edit's steps tick MWI too and pull the slow B towards the trained one.
     */
    @Test
    @Timeout(300)
    void theDocumentsScopeServesTheEditDeltaAsTrainedOverTheSlowDocumentWeights() throws Exception {
        Map<String, Double> plain = versionSums(settings(2), true, "plain");
        assertTrue(plain.get("lora_B") > 0 && plain.get("delta") > 0, "without MWI the version holds both trained parts: " + plain);
        MwiSettings frozen = new MwiSettings(1.0, 1, MwiSettings.ResetPolicy.NEVER);
        assertEquals(Map.of("lora_B", 0.0, "delta", 0.0), versionSums(settings(2).withMwi(frozen, MwiScope.ALL), true, "frozen"),
                "τ = 1 over every tensor holds the edit back too");

        double alone = versionSums(settings(2), false, "alone").get("delta");
        Map<String, Double> documents = versionSums(settings(2).withMwi(frozen, MwiScope.DOCUMENTS), true, "documents");
        assertEquals(0.0, documents.get("lora_B"), "the documents scope holds the document back ...");
        assertEquals(alone, documents.get("delta"), 1e-9, "... and serves the edit as trained over the slow (here: base) document weights");
        assertTrue(Math.abs(alone - plain.get("delta")) > 1e-6, "over the trained document weights the edit learns another delta");

        MwiSettings half = new MwiSettings(0.5, 1, MwiSettings.ResetPolicy.NEVER);
        assertEquals(0.5 * plain.get("lora_B"), versionSums(settings(2).withMwi(half, MwiScope.DOCUMENTS), true, "half").get("lora_B"), 1e-6,
                "the edit's steps do not tick the documents' slow copy");
        assertTrue(versionSums(settings(2).withMwi(half, MwiScope.ALL), true, "all").get("lora_B") > 0.6 * plain.get("lora_B"),
                "scope all ticks on the edit's steps too, pulling the slow B towards the trained one");
        assertThrows(IllegalArgumentException.class, () -> settings(2).withEdits("locft-bf", null).withMwi(half, MwiScope.DOCUMENTS),
                "locft-bf trains the LoRA pair documents also train: nothing to leave out");
    }

    /**
     * Σ|x| of the LoRA B factors and of the dense deltas in the one version that an edit, after a document when
     * {@code withDocument}, makes under {@code s}.
     */
    private Map<String, Double> versionSums(TrainingSettings s, boolean withDocument, String dir) throws Exception {
        AdapterStore store = new AdapterStore(dataDir.resolve(dir));
        TrainingQueue queue = new TrainingQueue(16);
        Items.Outcomes outcomes = new Items.Outcomes();
        try (TrainingWorker worker = worker(s, queue, store, new LocalStoreSink(store), new Recorder())) {
            if (withDocument) {
                queue.offer(Items.document("d1", 0, outcomes));
            }
            queue.offer(Items.edit("e1", "Q: Where was Tovrak Melun born?\nA:", "Karvel", 1, outcomes));
            worker.start(); // after both are queued, so they share a round
            int records = withDocument ? 2 : 1;
            await(() -> outcomes.byId.size() == records);
        }
        assertEquals(1, store.versions(ACME.value()).size(), "one version holds the records");
        Map<String, Double> sums = new java.util.TreeMap<>(Map.of("lora_B", 0.0, "delta", 0.0));
        try (Adapter stored = store.load(ACME.value(), 1, model)) {
            for (Map.Entry<String, NDArray> e : stored.tensors().entrySet()) {
                String part = e.getKey().endsWith("lora_B.weight") ? "lora_B" : e.getKey().endsWith(".delta") ? "delta" : null;
                if (part != null) {
                    sums.merge(part, (double) e.getValue().abs().sum().getFloat(), Double::sum);
                }
            }
        }
        return sums;
    }

    /** LoRA B of every module, concatenated, in the version one document makes under {@code mwi}. */
    private float[] versionLoraB(MwiSettings mwi, String dir) throws Exception {
        AdapterStore store = new AdapterStore(dataDir.resolve(dir));
        TrainingSettings s = settings(1).withMwi(mwi);
        TrainingQueue queue = new TrainingQueue(16);
        Items.Outcomes outcomes = new Items.Outcomes();
        try (TrainingWorker worker = worker(s, queue, store, new LocalStoreSink(store), new Recorder())) {
            worker.start();
            queue.offer(Items.document("d1", 0, outcomes));
            await(() -> outcomes.byId.size() == 1);
        }
        AdapterManifest v1 = store.manifest(ACME.value(), 1);
        assertEquals(1.0, v1.metrics().get("train_steps"));
        assertEquals(mwi.tau() > 0 ? mwi.tau() : null, v1.metrics().get("mwi_tau"), "the manifest says whether it holds a slow copy");
        try (Adapter stored = store.load(ACME.value(), 1, model)) {
            List<Float> b = new java.util.ArrayList<>();
            for (Map.Entry<String, NDArray> e : stored.tensors().entrySet()) {
                if (e.getKey().endsWith("lora_B.weight")) {
                    for (float v : e.getValue().toFloatArray()) {
                        b.add(v);
                    }
                }
            }
            float[] flat = new float[b.size()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = b.get(i);
            }
            return flat;
        }
    }

    @Test
    void recordsCoveredByAStoredVersionAreSkippedAfterARestart() throws Exception {
        AdapterStore store = new AdapterStore(dataDir);
        TrainingSettings s = settings(2);
        Items.Outcomes first = new Items.Outcomes();
        TrainingQueue queue1 = new TrainingQueue(16);
        try (TrainingWorker worker = worker(s, queue1, store, new LocalStoreSink(store), new Recorder())) {
            worker.start();
            queue1.offer(Items.document("d1", 0, first));
            queue1.offer(Items.document("d2", 1, first));
            await(() -> first.byId.size() == 2);
        }
        assertEquals(List.of(1L), store.versions(ACME.value()));

        // A new worker on the same store, as after a crash: d1 is delivered again, d3 twice.
        Items.Outcomes second = new Items.Outcomes();
        TrainingQueue queue2 = new TrainingQueue(16);
        Recorder events = new Recorder();
        try (TrainingWorker worker = worker(s.withBatching(3, Duration.ofMillis(200), 16), queue2, store, new LocalStoreSink(store), events)) {
            worker.start();
            queue2.offer(Items.document("d1", 0, second));
            queue2.offer(Items.document("d3", 2, second));
            queue2.offer(Items.document("d3", 3, second));
            await(() -> second.byId.size() == 3);
        }
        assertEquals(Map.of("d1@0", "durable", "d3@2", "durable", "d3@3", "durable"), second.byId);
        assertEquals(List.of("d1@0"), events.skipped);
        assertEquals(List.of(1L, 2L), store.versions(ACME.value()));
        AdapterManifest v2 = store.manifest(ACME.value(), 2);
        assertEquals(1, v2.parentVersion());
        assertEquals(Set.of("d3"), CoveredRecords.idsIn(v2.extra(), CoveredRecords.Kind.DOCUMENT), "d3 once, d1 not again");
    }

    @Test
    void aFailedSinkHoldsTheRecordsBackUntilALaterVersionIsDurable() throws Exception {
        AdapterStore store = new AdapterStore(dataDir);
        LocalStoreSink local = new LocalStoreSink(store);
        AtomicInteger calls = new AtomicInteger();
        Items.Outcomes outcomes = new Items.Outcomes();
        Map<String, String> outcomesAtRetry = new java.util.HashMap<>();
        VersionSink flaky = (tenant, candidate, covered) -> {
            if (calls.incrementAndGet() == 1) {
                candidate.close();
                throw new IOException("disk full (simulated)");
            }
            outcomesAtRetry.putAll(outcomes.byId);
            return local.accept(tenant, candidate, covered);
        };
        TrainingQueue queue = new TrainingQueue(16);
        Recorder events = new Recorder();
        try (TrainingWorker worker = worker(settings(1), queue, store, flaky, events)) {
            worker.start();
            queue.offer(Items.document("d1", 0, outcomes));
            await(() -> outcomes.byId.size() == 1); // retried a second later
        }
        assertEquals(1, events.sinkFailures.get());
        assertEquals(2, calls.get());
        assertEquals(Map.of(), outcomesAtRetry, "nothing was reported durable while the sink failed");
        assertEquals(Map.of("d1@0", "durable"), outcomes.byId);
        assertEquals(List.of(1L), store.versions(ACME.value()));
        assertEquals(Set.of("d1"), CoveredRecords.idsIn(store.manifest(ACME.value(), 1).extra(), CoveredRecords.Kind.DOCUMENT));
    }

    private static TrainingWorker worker(TrainingSettings s, TrainingQueue q, AdapterStore store, VersionSink sink, TrainingEvents events) {
        return new TrainingWorker(model, s, q, TrainingWorker.Learners.defaults(s), store, sink, ServingPressure.NONE, events);
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(20);
        }
    }
}
