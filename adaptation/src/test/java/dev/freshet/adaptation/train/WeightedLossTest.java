package dev.freshet.adaptation.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.TinyModels;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** The weighted loss and the training step: values, gradients, and refusals. */
class WeightedLossTest {

    private static final int B = 2;
    private static final int T = 5;
    private static final int V = 7;

    @Test
    void matchesTheNaiveReference() {
        try (NDManager m = NDManager.newBaseManager(); NDScope s = new NDScope()) {
            SplittableRandom rng = new SplittableRandom(3);
            float[] logits = new float[B * T * V];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (rng.nextDouble() * 6 - 3);
            }
            long[] targets = {1, 2, 3, 4, 5, 6, 0, 1, -1, -1};
            float[] weights = {1f, 0.5f, 0f, 2f, 1f, 0.3f, 1f, 1f, 0f, 0f};
            float got = WeightedLoss.of(m.create(logits, new Shape(B, T, V)), m.create(targets, new Shape(B, T)), m.create(weights, new Shape(B, T)), 8)
                    .getFloat();
            double want = WeightedLoss.reference(logits, targets, weights, V, 8);
            assertEquals(want, got, 1e-5);
        }
    }

    @Test
    void aTokenOfWeightZeroGetsZeroGradient() {
        try (NDManager m = NDManager.newBaseManager(); NDScope s = new NDScope()) {
            NDArray logits = m.randomNormal(new Shape(1, T, V));
            NDArray targets = m.create(new long[] {1, 2, 3, 4, 5}, new Shape(1, T));
            NDArray weights = m.create(new float[] {1f, 0f, 1f, 0.5f, 0f}, new Shape(1, T));
            GradientStep.Gradients g = GradientStep.gradients(Map.of("logits", logits),
                    leaves -> WeightedLoss.of(leaves.get("logits"), targets, weights, T));
            float[] grad = g.grads().get("logits");
            for (int t = 0; t < T; t++) {
                double rowNorm = 0;
                for (int v = 0; v < V; v++) {
                    rowNorm += Math.abs(grad[t * V + v]);
                }
                if (t == 1 || t == 4) {
                    assertEquals(0.0, rowNorm, "weight-0 token " + t + " must get exactly zero gradient");
                } else {
                    assertTrue(rowNorm > 1e-4, "weighted token " + t + " must get a gradient");
                }
            }
        }
    }

    @Test
    void parameterGradientIgnoresTheTargetOfAWeightZeroToken() {
        try (LanguageModel model = TinyModels.gpt2(2); Adapter a = Adapter.create(model, new AdapterSpec.Delta(List.of("h.1.mlp.c_fc")), "t", 1)) {
            int[] ids = model.encodeWithStart("Tovrak Melun works at Karvel Dynamics");
            float[] w = new float[ids.length];
            java.util.Arrays.fill(w, 1f);
            w[3] = 0f;
            float[] g1 = grads(model, a, ids, w);
            // Token 3 is also an input to later positions, so only its target is changed: the prediction
            // of token 3 is made at position 2, whose inputs stay identical.
            float[] w2 = w.clone();
            w2[3] = 1f;
            float[] g3 = grads(model, a, ids, w2);
            assertNotEquals(0f, maxDiff(g1, g3), "giving the token weight 1 must change the gradient");
            float[] onlyTarget = gradsShiftedTarget(model, a, ids, w);
            assertArrayEquals(g1, onlyTarget, 0f, "changing only the target of a weight-0 token must not change the gradient");
        }
    }

    private static float[] grads(LanguageModel model, Adapter a, int[] ids, float[] w) {
        TokenBatch b = TokenBatch.of(List.of(new TokenBatch.Sequence(ids, w)));
        return GradientStep.gradients(a.tensors(), leaves -> WeightedLoss.of(model.logits(model.weights(), a.over(leaves), b.inputsArray(model.manager())),
                b.targetsArray(model.manager()), b.weightsArray(model.manager()), b.predicted())).grads().values().iterator().next();
    }

    /** Same inputs, but the target predicted at the weight-0 position replaced. */
    private static float[] gradsShiftedTarget(LanguageModel model, Adapter a, int[] ids, float[] w) {
        TokenBatch b = TokenBatch.of(List.of(new TokenBatch.Sequence(ids, w)));
        long[] targets = b.targets().clone();
        targets[2] = (targets[2] + 1) % model.config().vocabSize(); // position 2 predicts token 3
        return GradientStep.gradients(a.tensors(), leaves -> WeightedLoss.of(model.logits(model.weights(), a.over(leaves), b.inputsArray(model.manager())),
                model.manager().create(targets, new Shape(1, b.length())), b.weightsArray(model.manager()), b.predicted())).grads().values().iterator().next();
    }

    @Test
    void gradientMatchesCentralFiniteDifferences() {
        try (LanguageModel model = TinyModels.gpt2(4); Adapter a = Adapter.create(model, new AdapterSpec.Delta(List.of("h.0.mlp.c_proj")), "t", 1)) {
            int[] ids = model.encodeWithStart("Karvel Dynamics was founded in 1987");
            float[] w = new float[ids.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = 0.25f + (i % 3) * 0.5f;
            }
            TokenBatch b = TokenBatch.of(List.of(new TokenBatch.Sequence(ids, w)));
            String name = a.tensors().keySet().iterator().next();
            NDArray delta = a.tensors().get(name);
            delta.set(delta.getManager().randomNormal(0f, 0.5f, delta.getShape(), delta.getDataType()).toFloatArray());
            Function<Map<String, NDArray>, NDArray> loss = leaves -> WeightedLoss.of(
                    model.logits(model.weights(), a.over(leaves), b.inputsArray(model.manager())), b.targetsArray(model.manager()),
                    b.weightsArray(model.manager()), b.predicted());
            float[] analytic = GradientStep.gradients(a.tensors(), loss).grads().get(name);
            float[] base = delta.toFloatArray();
            // fp32 losses resolve ~1e-6: check the 12 largest gradient entries, where the signal is far
            // above that noise, plus the sign of a few random ones.
            Integer[] order = new Integer[base.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (x, y) -> Float.compare(Math.abs(analytic[y]), Math.abs(analytic[x])));
            float eps = 1e-2f;
            double worst = 0;
            for (int k = 0; k < 12; k++) {
                int i = order[k];
                float[] plus = base.clone();
                plus[i] += eps;
                float[] minus = base.clone();
                minus[i] -= eps;
                double fd = (lossAt(delta, plus, a, loss) - lossAt(delta, minus, a, loss)) / (2 * eps);
                double err = Math.abs(fd - analytic[i]) / Math.max(1e-3, Math.abs(fd) + Math.abs(analytic[i]));
                worst = Math.max(worst, err);
            }
            delta.set(base);
            System.out.printf("finite differences vs autograd: worst relative error %.2e%n", worst);
            assertTrue(worst < 1e-2, "relative error " + worst);
        }
    }

    private static double lossAt(NDArray delta, float[] values, Adapter a, Function<Map<String, NDArray>, NDArray> loss) {
        delta.set(values);
        try (NDScope s = new NDScope()) {
            return loss.apply(a.tensors()).getFloat();
        }
    }

    @Test
    void nonFiniteLossIsRefusedWithoutTouchingTheWeights() {
        try (LanguageModel model = TinyModels.gpt2(2); Adapter a = Adapter.create(model, new AdapterSpec.Delta(List.of("h.1.mlp.c_proj")), "t", 1);
                Optimizer opt = new Optimizer.AdamW(model.manager(), 1e-2f, 0f)) {
            int[] ids = model.encodeWithStart("Tovrak Melun works at Karvel Dynamics");
            float[] w = new float[ids.length];
            java.util.Arrays.fill(w, 1f);
            w[4] = Float.NaN;
            TokenBatch bad = TokenBatch.of(List.of(new TokenBatch.Sequence(ids, w)));
            TokenBatch good = TokenBatch.of(List.of(TokenBatch.Sequence.uniform(ids)));
            GradientStep step = new GradientStep(a.tensors(), opt, 1f);
            float[] before = a.tensors().values().iterator().next().toFloatArray();
            StepResult r = step.step(leaves -> lossOf(model, a, bad, leaves));
            assertFalse(r.applied());
            assertTrue(r.refusal().contains("non-finite"), r.refusal());
            assertArrayEquals(before, a.tensors().values().iterator().next().toFloatArray(), 0f);
            assertEquals(0, step.steps());
            StepResult skipped = step.step(leaves -> lossOf(model, a, good, leaves), 1e-2f, 1e9f);
            assertTrue(skipped.skipped() && !skipped.applied(), "a loss below the skip threshold is not trained on");
            assertArrayEquals(before, a.tensors().values().iterator().next().toFloatArray(), 0f);
            assertEquals(0, step.steps());
            float first = step.step(leaves -> lossOf(model, a, good, leaves)).loss();
            StepResult later = null;
            for (int i = 0; i < 10; i++) {
                later = step.step(leaves -> lossOf(model, a, good, leaves));
            }
            assertTrue(later.applied() && later.loss() < first, "training must lower the loss: " + first + " -> " + later.loss());
        }
    }

    private static NDArray lossOf(LanguageModel model, Adapter a, TokenBatch b, Map<String, NDArray> leaves) {
        return WeightedLoss.of(model.logits(model.weights(), a.over(leaves), b.inputsArray(model.manager())), b.targetsArray(model.manager()),
                b.weightsArray(model.manager()), b.predicted());
    }

    private static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
