package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.server.serving.AdapterStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents train at {@code training.lr} and {@code ft-bf} edits at {@code training.edits.lr}: each record kind's
 * update depends on its own rate and not on the other's (one AdamW serves both; the rate is passed per step).
 */
class LearningRatesTest {

    private static LanguageModel model;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadModel() {
        model = TestModels.tiny(11);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void aDocumentFollowsTheDocumentRateAlone() throws Exception {
        float[] base = version1(1e-3f, 1e-3f, false, "a");
        assertTrue(Arrays.equals(base, version1(1e-3f, 3e-2f, false, "b")), "the edit rate changed a document's update");
        assertFalse(Arrays.equals(base, version1(3e-2f, 1e-3f, false, "c")), "the document rate did not change a document's update");
    }

    @Test
    void anFtBfEditFollowsTheEditRateAlone() throws Exception {
        float[] base = version1(1e-3f, 1e-3f, true, "a");
        assertTrue(Arrays.equals(base, version1(3e-2f, 1e-3f, true, "b")), "the document rate changed an edit's update");
        assertFalse(Arrays.equals(base, version1(1e-3f, 3e-2f, true, "c")), "the edit rate did not change an edit's update");
    }

    /** Every tensor of the version one record (a document, or an {@code ft-bf} edit) makes, flattened in name order. */
    private float[] version1(float documentLr, float editLr, boolean edit, String run) throws Exception {
        TrainingSettings s = TrainingSettings.defaults(ModelConfig.Family.GPT2).withBatching(1, Duration.ofMillis(50), 16).withEdits("ft-bf", null)
                .withSchedule(documentLr, 1, 2).withEditLearningRate(editLr);
        AdapterStore store = new AdapterStore(dir.resolve(run));
        TrainingQueue queue = new TrainingQueue(16);
        Items.Outcomes outcomes = new Items.Outcomes();
        try (TrainingWorker worker = new TrainingWorker(model, s, queue, TrainingWorker.Learners.defaults(s), store, new LocalStoreSink(store),
                ServingPressure.NONE, TrainingEvents.NONE)) {
            worker.start();
            queue.offer(edit ? Items.edit("e1", "Q: Where was Tovrak Melun born?\nA:", "Karvel", 0, outcomes) : Items.document("d1", 0, outcomes));
            TrainingWorkerTest.await(() -> outcomes.byId.size() == 1);
        }
        assertEquals(Map.of(edit ? "e1@0" : "d1@0", "durable"), outcomes.byId);
        try (Adapter v1 = store.load(Items.TENANT.value(), 1, model)) {
            return v1.tensors().entrySet().stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).map(NDArray::toFloatArray)
                    .reduce(new float[0], LearningRatesTest::concat);
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
