package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.editing.EditResult;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.server.serving.AdapterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LocFT-BF as the server runs it: through the training worker, on a tenant's LoRA. */
class LocalizedEditLearnerTest {

    private static LanguageModel model;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadModel() {
        model = TestModels.tiny(7);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    /**
     * Only the location's tensors move (every other LoRA factor is bit-identical to a fresh adapter's); an edit
     * whose target cannot fit the context is dead-lettered as too large while the other edit of its batch is
     * trained and made durable.
     */
    @Test
    void editsTrainOnlyTheLocationAndAnEditThatCannotFitIsRefusedAlone() throws Exception {
        TrainingSettings s = TrainingSettings.defaults(ModelConfig.Family.GPT2).withBatching(2, Duration.ofMillis(200), 16).withEdits("locft-bf", null);
        String location = LocalizedEditLearner.defaultLocation(model.config());
        assertEquals("h.1.mlp.c_proj", location, "the tiny model's last layer");
        AdapterStore store = new AdapterStore(dir);
        TrainingQueue queue = new TrainingQueue(16);
        Items.Outcomes outcomes = new Items.Outcomes();
        try (TrainingWorker worker = started(s, store, queue)) {
            queue.offer(Items.edit("e1", "Q: Where was Tovrak Melun born?\nA:", "Karvel", 0, outcomes));
            queue.offer(Items.edit("long", "Q: Where was Tovrak Melun born?\nA:", "Karvel Dynamics ".repeat(40).strip(), 1, outcomes));
            TrainingWorkerTest.await(() -> outcomes.byId.size() == 2);
        }
        assertEquals(Map.of("e1@0", "durable", "long@1", "too_large"), outcomes.byId);
        AdapterManifest v1 = store.manifest(Items.TENANT.value(), 1);
        assertEquals("locft-bf", v1.method());
        assertTrue(v1.metrics().get("train_steps") > 0, "steps are metered into the version: " + v1.metrics());
        try (Adapter fresh = Adapter.create(model, s.adapter(), "locft-bf", s.seed() ^ Items.TENANT.value().hashCode());
                Adapter stored = store.load(Items.TENANT.value(), 1, model)) {
            int moved = 0;
            for (Map.Entry<String, NDArray> e : stored.tensors().entrySet()) {
                float[] before = fresh.tensors().get(e.getKey()).toFloatArray();
                float[] after = e.getValue().toFloatArray();
                if (e.getKey().startsWith(location + ".")) {
                    moved += Arrays.equals(before, after) ? 0 : 1;
                } else {
                    assertArrayEquals(before, after, 0f, e.getKey() + " is outside the edit location and must not change");
                }
            }
            assertEquals(2, moved, "both LoRA factors at the location are trained");
        }
    }

    /**
     * {@code locft-keys}: a new tenant gets a dense delta at the location; a round of documents trains the LoRA pairs
     * and leaves that delta at zero, a round with an edit trains only the delta.
     */
    @Test
    void keyPreconditionedEditsTrainADenseDeltaThatDocumentsLeaveAlone() throws Exception {
        TrainingSettings s = TrainingSettings.defaults(ModelConfig.Family.GPT2).withBatching(1, Duration.ofMillis(200), 16).withEdits("locft-keys", null);
        String location = LocalizedEditLearner.defaultLocation(model.config());
        AdapterStore store = new AdapterStore(dir);
        TrainingQueue queue = new TrainingQueue(16);
        Items.Outcomes outcomes = new Items.Outcomes();
        try (TrainingWorker worker = started(s, store, queue)) {
            queue.offer(Items.document("d1", 0, outcomes));
            TrainingWorkerTest.await(() -> outcomes.byId.size() == 1);
            queue.offer(Items.edit("e1", "Q: Where was Tovrak Melun born?\nA:", "Karvel", 1, outcomes));
            TrainingWorkerTest.await(() -> outcomes.byId.size() == 2);
        }
        assertEquals(Map.of("d1@0", "durable", "e1@1", "durable"), outcomes.byId);
        assertEquals(((AdapterSpec.Lora) s.adapter()).withDense(location), store.manifest(Items.TENANT.value(), 1).spec());
        assertEquals("locft-keys", store.manifest(Items.TENANT.value(), 2).method());
        try (Adapter v1 = store.load(Items.TENANT.value(), 1, model); Adapter v2 = store.load(Items.TENANT.value(), 2, model)) {
            float[] afterDocument = v1.tensors().get(location + ".delta").toFloatArray();
            assertEquals(0f, maxAbs(afterDocument), "documents do not train the edit location's delta");
            assertTrue(maxAbs(v2.tensors().get(location + ".delta").toFloatArray()) > 0, "the edit trains it");
            for (Map.Entry<String, NDArray> e : v2.tensors().entrySet()) {
                if (!e.getKey().startsWith(location + ".")) {
                    assertArrayEquals(v1.tensors().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), 0f, e.getKey() + " is not the edit's to train");
                }
            }
        }
    }

    /** A training worker with the default learners of {@code s}, storing every version locally, started. */
    private static TrainingWorker started(TrainingSettings s, AdapterStore store, TrainingQueue queue) {
        TrainingWorker worker = new TrainingWorker(model, s, queue, TrainingWorker.Learners.defaults(s), store, new LocalStoreSink(store),
                ServingPressure.NONE, TrainingEvents.NONE);
        worker.start();
        return worker;
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /** {@code edit-preserve}: the file's texts fit the metric; a bad file fails at construction naming the file and line. */
    @Test
    void preservedTextsComeFromTheFileAndABadFileIsNamed() throws Exception {
        Path good = dir.resolve("keep.jsonl");
        Files.writeString(good, "{\"text\": \"Kreslux Systems was established in 2016.\"}\n{\"question\": \"Where was Tovrak Melun born?\", \"answer\": \"Karvel\"}\n");
        TrainingSettings s = TrainingSettings.defaults(ModelConfig.Family.GPT2).withEdits("locft-keys", null);
        LocalizedEditLearner learner = LocalizedEditLearner.of(s.withEditPreserve(good));
        assertEquals("locft-keys", learner.method());
        learner.prepare(model); // the metric fits from the file's two texts

        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"fine\"}\nnot json\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalizedEditLearner.of(s.withEditPreserve(bad)));
        assertTrue(e.getMessage().contains("edit-preserve") && e.getMessage().contains("bad.jsonl line 2"), e.getMessage());
    }

    @Test
    void aLocationTheAdapterLacksFailsAtStartNamingTheModules() {
        TrainingSettings s = TrainingSettings.defaults(ModelConfig.Family.GPT2);
        new LocalizedEditLearner(LocalizedEditLearner.SETTINGS, null).checkLocation(model, s.adapter());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LocalizedEditLearner(LocalizedEditLearner.SETTINGS, "h.1.mlp.c_fc").checkLocation(model, s.adapter()));
        assertTrue(e.getMessage().contains("h.1.mlp.c_proj"), e.getMessage());
    }

    /** The edit to blame for non-finite batches is the one never seen in a finite batch; replayed edits are not blamed. */
    @Test
    void onlyAnEditWhoseEveryBatchWasNonFiniteIsBlamed() {
        List<WorldEdit> window = List.of(edit("a"), edit("b"), edit("c"));
        EditResult r = new EditResult(List.of(
                new EditResult.EditStep(1, List.of("a", "b"), Float.NaN, false),
                new EditResult.EditStep(1, List.of("c", "old"), Float.NaN, false),
                new EditResult.EditStep(2, List.of("b", "c"), 0.5f, true),
                new EditResult.EditStep(2, List.of("a", "old"), Float.POSITIVE_INFINITY, false)), 2, Float.NaN, false, 4, 0.1);
        assertEquals(Set.of("a"), LocalizedEditLearner.neverFinite(r, window));
    }

    private static WorldEdit edit(String id) {
        return new WorldEdit(id, "Q: " + id + "?\nA:", "x", List.of(), List.of());
    }
}
