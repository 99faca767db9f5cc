package dev.freshet.adaptation.camels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.freshet.adaptation.model.LanguageModel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The exact one-step meta-gradient against central finite differences of the outer loss itself, computed in
 * float64 end to end (inner step, outer loss) so that the reference is the more accurate side.
 */
class MetaGradientTest {

    static final float ALPHA = 0.5f;
    static final float LAMBDA = 0.1f;

    static MetaBatch batch(LanguageModel m) {
        return MetaBatch.of(m, CamelsFixtures.WORLD.documents().subList(0, 2), CamelsFixtures.WORLD.heldOutTexts().subList(0, 1), 40, 24);
    }

    @Test
    void tokenWeightGradientMatchesFiniteDifferencesOfTheOuterLoss() {
        checkTokenWeightGradient(false, false, ALPHA, 1e-3);
    }

    /**
     * An Adam preconditioner on the inner step ({@code θ − α P ∇L}) keeps it linear in the weights: the same check,
     * one step and chained. α is small because P scales the gradient up about a thousandfold.
     */
    @Test
    void adamPreconditionedInnerStepsMatchFiniteDifferencesToo() {
        checkTokenWeightGradient(false, true, 1e-3f, 1e-3);
        checkTokenWeightGradient(true, true, 1e-3f, 1e-2);
    }


    /** Chained inner steps: the backward pass through the chain's Hessian-vector products is checked the same way. */
    @Test
    void chainedInnerStepsTokenWeightGradientMatchesFiniteDifferencesToo() {
        checkTokenWeightGradient(true, false, ALPHA, 1e-2);
    }

    /** With a single row there is nothing to chain: both forms are the same function with the same gradient. */
    @Test
    void chainedAndBatchedInnerStepsAgreeOnOneRow() {
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m)) {
            MetaBatch b = MetaBatch.of(m, CamelsFixtures.WORLD.documents().subList(0, 1), CamelsFixtures.WORLD.heldOutTexts().subList(0, 1), 400, 24);
            assertEquals(1, b.docs(), "the document must fit one window");
            double[] w = new double[b.length()];
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = 0; i < w.length; i++) {
                w[i] = b.tokenMask()[i] * (0.1 + rng.nextDouble());
            }
            MetaGradient.Result batched = new MetaGradient(theta, ALPHA, LAMBDA, 1e-3, true, false).metaGradientOfTokenWeights(b, w);
            MetaGradient.Result chained = new MetaGradient(theta, ALPHA, LAMBDA, 1e-3, true, true).metaGradientOfTokenWeights(b, w);
            assertEquals(batched.outer().total(), chained.outer().total(), 1e-12);
            for (int i = 0; i < w.length; i++) {
                assertEquals(batched.tokenWeightGradient()[i], chained.tokenWeightGradient()[i], 1e-9, "token " + i);
            }
        }
    }

    private static void checkTokenWeightGradient(boolean chained, boolean preconditioned, float alpha, double float32Tolerance) {
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                NDManager owner = m.manager().newSubManager()) {
            MetaBatch b = batch(m);
            assertTrue(b.docs() >= 2, "a chain needs two rows or more: " + b.docs());
            SplittableRandom rng = new SplittableRandom(11);
            double[] w = new double[b.docs() * b.length()];
            for (int i = 0; i < w.length; i++) {
                w[i] = b.tokenMask()[i] * (0.1 + rng.nextDouble());
            }
            MetaGradient exact32 = new MetaGradient(theta, alpha, LAMBDA, 1e-3, false, chained);
            MetaGradient exact64 = new MetaGradient(theta, alpha, LAMBDA, 1e-3, true, chained);
            if (preconditioned) {
                Map<String, NDArray> p = AdamPreconditioner.estimate(theta, List.of(b), 1e-8, owner, System.out);
                exact32 = exact32.withPreconditioner(p);
                exact64 = exact64.withPreconditioner(p);
            }
            double[] g32 = exact32.metaGradientOfTokenWeights(b, w).tokenWeightGradient();
            double[] g64 = exact64.metaGradientOfTokenWeights(b, w).tokenWeightGradient();
            int[] probe = {0, 1, 5, 13, 22, 38, b.length(), b.length() + 7, b.length() + 30};
            double[] fd = new double[probe.length];
            double delta = 1e-3;
            double scale = 0;
            for (int k = 0; k < probe.length; k++) {
                double[] plus = w.clone();
                double[] minus = w.clone();
                plus[probe[k]] += delta;
                minus[probe[k]] -= delta;
                fd[k] = (exact64.outerLoss(b, plus).total() - exact64.outerLoss(b, minus).total()) / (2 * delta);
                scale = Math.max(scale, Math.abs(fd[k]));
            }
            double rel64 = 0;
            double rel32 = 0;
            for (int k = 0; k < probe.length; k++) {
                System.out.printf("  w[%3d]: finite difference %+.6e  exact(f64) %+.6e  exact(f32) %+.6e%n", probe[k], fd[k], g64[probe[k]], g32[probe[k]]);
                rel64 = Math.max(rel64, relative(g64[probe[k]], fd[k], scale));
                rel32 = Math.max(rel32, relative(g32[probe[k]], fd[k], scale));
            }
            System.out.printf("∂L_out/∂w over %d tokens%s: max relative error %.2e (float64 backward), %.2e (float32 backward)%n", probe.length,
                    (chained ? ", chained inner steps" : "") + (preconditioned ? ", Adam-preconditioned" : ""), rel64, rel32);
            assertTrue(scale > 1e-7, "the probed gradient is all zero, the check is vacuous: " + scale);
            assertTrue(rel64 < 1e-4, "float64 meta-gradient differs from finite differences: " + rel64);
            assertTrue(rel32 < float32Tolerance, "float32 meta-gradient differs from finite differences: " + rel32);
        }
    }

    @Test
    void weightingModelGradientMatchesFiniteDifferencesOfTheOuterLoss() {
        checkWeightingModelGradient(false);
    }

    /** Normalised weights: the division by each document's mean is part of the graph the φ-gradient goes through. */
    @Test
    void normalisedWeightingModelGradientMatchesFiniteDifferencesToo() {
        checkWeightingModelGradient(true);
    }

    @Test
    void normalisedBatchWeightsAverageOnePerDocumentAndAreZeroAtPadding() {
        try (LanguageModel m = CamelsFixtures.model(3); WeightingModel wm = CamelsFixtures.weighting(4).normalized(true)) {
            WeightingModelTest.randomizeLastLayer(wm);
            MetaBatch b = batch(m);
            double[] w = MetaGradient.tokenWeights(wm, wm.parameters(), b);
            int padding = 0;
            for (int d = 0; d < b.docs(); d++) {
                double sum = 0;
                int real = 0;
                for (int t = 0; t < b.length(); t++) {
                    int i = d * b.length() + t;
                    if (b.tokenMask()[i] == 0) {
                        assertEquals(0.0, w[i], "padding " + i);
                        padding++;
                    } else {
                        sum += w[i];
                        real++;
                    }
                }
                assertEquals(1.0, sum / real, 1e-9, "document " + d);
            }
            assertTrue(padding > 0, "the batch must have padding for the check to mean anything");
        }
    }

    private static void checkWeightingModelGradient(boolean normalized) {
        try (LanguageModel m = CamelsFixtures.model(3); InnerParameters theta = InnerParameters.allBaseWeights(m);
                WeightingModel wm = CamelsFixtures.weighting(4).normalized(normalized); NDScope scope = new NDScope()) {
            MetaBatch b = batch(m);
            // Move the zero-initialised last layer off zero, or only that layer would get a gradient.
            SplittableRandom rng = new SplittableRandom(5);
            float[] out = new float[WeightingModel.HEAD_WIDTH];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (rng.nextGaussian() * 0.3);
            }
            wm.parameters().get("head.out.weight").set(out);
            Map<String, NDArray> phi = float64(wm.parameters());
            MetaGradient mg = new MetaGradient(theta, ALPHA, LAMBDA, 1e-3, true);
            double[] dw = mg.metaGradientOfTokenWeights(b, MetaGradient.tokenWeights(wm, phi, b)).tokenWeightGradient();
            Map<String, NDArray> exact = MetaGradient.metaGradientOfWeightingModel(wm, phi, b, dw, wm.manager());
            List<Object[]> probes = List.of(new Object[] {"head.out.bias", 0}, new Object[] {"head.out.weight", 17},
                    new Object[] {"head.fc.weight", 100}, new Object[] {"h.0.attn.c_attn.weight", 40}, new Object[] {"h.0.mlp.c_proj.weight", 9},
                    new Object[] {"wte.weight", (int) b.docTokens()[3] * 16 + 2});
            double delta = 1e-3;
            double worst = 0;
            for (Object[] p : probes) {
                String name = (String) p[0];
                int index = (Integer) p[1];
                double e = exact.get(name).toDoubleArray()[index];
                double fd = (outerAt(mg, wm, phi, b, name, index, delta) - outerAt(mg, wm, phi, b, name, index, -delta)) / (2 * delta);
                double rel = relative(e, fd, Math.abs(fd));
                worst = Math.max(worst, rel);
                System.out.printf("  φ %s[%d]: finite difference %+.6e  exact %+.6e  relative error %.2e%n", name, index, fd, e, rel);
                assertTrue(Math.abs(fd) > 1e-9, name + ": vanishing gradient makes the check vacuous");
            }
            System.out.printf("∂L_out/∂φ over %d entries: max relative error %.2e%n", probes.size(), worst);
            assertTrue(worst < 1e-3, "weighting-model meta-gradient differs from finite differences: " + worst);
        }
    }

    private static double outerAt(MetaGradient mg, WeightingModel wm, Map<String, NDArray> phi, MetaBatch b, String name, int index, double d) {
        NDArray original = phi.get(name);
        double[] v = original.toDoubleArray();
        v[index] += d;
        Map<String, NDArray> moved = new LinkedHashMap<>(phi);
        moved.put(name, original.getManager().create(v, original.getShape()));
        return mg.outerLoss(b, MetaGradient.tokenWeights(wm, moved, b)).total();
    }

    private static Map<String, NDArray> float64(Map<String, NDArray> p) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        p.forEach((k, v) -> out.put(k, v.toType(DataType.FLOAT64, true)));
        return out;
    }

    private static double relative(double exact, double reference, double scale) {
        return Math.abs(exact - reference) / Math.max(Math.abs(reference), 1e-3 * scale);
    }
}
