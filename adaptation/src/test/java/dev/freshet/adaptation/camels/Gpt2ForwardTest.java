package dev.freshet.adaptation.camels;

import dev.freshet.adaptation.model.Ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.model.LanguageModel;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The camels package's GPT-2 forward against the model core's (its naive reference), and the reason it exists:
 * gradients through it survive a garbage collection between forward and backward.
 */
class Gpt2ForwardTest {

    @Test
    void logitsEqualTheCoreForwardPass() {
        try (LanguageModel m = CamelsFixtures.model(3); NDScope scope = new NDScope()) {
            int[] ids = m.encodeWithStart(CamelsFixtures.WORLD.documents().get(0).text().substring(0, 200));
            NDArray x = m.manager().create(LanguageModel.toLongs(ids), new Shape(1, ids.length));
            float[] core = m.logits(m.weights(), Adaptation.NONE, x).toFloatArray();
            float[] ours = Gpt2Forward.forBase(m).logits(m.weights(), Adaptation.NONE, x).toFloatArray();
            float d = 0;
            for (int i = 0; i < core.length; i++) {
                d = Math.max(d, Math.abs(core[i] - ours[i]));
            }
            System.out.printf("Gpt2Forward vs LanguageModel.logits over %d tokens: max |Δ| = %.2e%n", ids.length, d);
            assertTrue(d < 1e-5, "forward passes differ by " + d);
        }
    }

    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        try (LanguageModel m = CamelsFixtures.model(3)) {
            int[] ids = m.encodeWithStart("Q: Where was Tovrak Melun born?\nA: Sarvel");
            float[] reference = null;
            for (int rep = 0; rep < 5; rep++) {
                try (NDScope scope = new NDScope(); NDManager sub = m.manager().newSubManager()) {
                    NDArray x = sub.create(LanguageModel.toLongs(ids), new Shape(1, ids.length));
                    Map<String, NDArray> leaves = MetaGradient.gradient(m.weights().all(), p -> {
                        NDArray out = Gpt2Forward.forBase(m).logits(m.weights().overlay(p), Adaptation.NONE, x).logSoftmax(-1).sum();
                        collectGarbageAndReuseNativeMemory(sub);
                        return out;
                    });
                    float[] g = leaves.get("h.0.attn.c_attn.weight").toFloatArray();
                    if (reference == null) {
                        reference = g;
                    }
                    float d = 0;
                    for (int i = 0; i < g.length; i++) {
                        d = Math.max(d, Math.abs(g[i] - reference[i]));
                    }
                    assertEquals(0f, d, "gradient changed after a GC on repetition " + rep);
                }
            }
            System.out.println("5 repetitions with a GC between forward and backward gave identical gradients");
        }
    }

    /** Frees what is unreachable and hands the same native memory out again with junk in it. */
    static void collectGarbageAndReuseNativeMemory(NDManager m) {
        System.gc();
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int k = 0; k < 200; k++) {
            m.create(new float[] {1e30f}).close();
            m.create(new double[] {1e30}).close();
        }
    }

    @Test
    void constantsAreOwnedByLibtorch() throws Exception {
        try (NDManager m = Devices.engine().newBaseManager(); NDScope scope = new NDScope()) {
            NDArray x = m.ones(new Shape(100));
            x.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Devices.engine().newGradientCollector()) {
                y = x.mul(Ops.constant(x, 2)).sum();
                collectGarbageAndReuseNativeMemory(m);
                gc.backward(y);
            }
            assertEquals(2f, x.getGradient().max().getFloat());
            assertEquals(2f, x.getGradient().min().getFloat());
        }
    }
}
