package dev.freshet.adaptation.editing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.TinyModels;
import dev.freshet.adaptation.train.GradientStep;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

/** The key preconditioner against a naive reference, what it does to a step, and the editor that uses it. */
class KeyPreconditionerTest {

    private static final String GPT2_MLP_OUT = "h.1.mlp.c_proj";
    /** Preserved text: a few questions in the tiny models' vocabulary. */
    private static final List<String> PRESERVED = List.of("Q: Where does Tovrak Melun work?\nA: Karvel Dynamics\n", "Q: Where is Sarvel from?\nA: Melun\n",
            "Q: Where was the lazy dog born?\nA: fox\n");

    @Test
    void theMetricIsTheRidgedInverseOfTheKeyCovariance() {
        try (LanguageModel m = TinyModels.gpt2(3); KeyPreconditioner p = KeyPreconditioner.fit(m, GPT2_MLP_OUT, PRESERVED, 0.05, line -> { })) {
            double[][] keys = keys(m, GPT2_MLP_OUT, PRESERVED);
            assertEquals(keys.length, p.keys());
            int in = keys[0].length;
            // Naive: C = Σ k kᵀ by loops, λ = ridge · trace(C) / in, M = λ (C + λ I)⁻¹ by Gauss–Jordan.
            double[][] c = new double[in][in];
            for (double[] k : keys) {
                for (int i = 0; i < in; i++) {
                    for (int j = 0; j < in; j++) {
                        c[i][j] += k[i] * k[j];
                    }
                }
            }
            double trace = 0;
            for (int i = 0; i < in; i++) {
                trace += c[i][i];
            }
            double lambda = 0.05 * trace / in;
            for (int i = 0; i < in; i++) {
                c[i][i] += lambda;
            }
            double[][] inv = invert(c);
            float[] metric = p.metric();
            assertEquals(in * in, metric.length);
            double worst = 0;
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < in; j++) {
                    worst = Math.max(worst, Math.abs(metric[i * in + j] - lambda * inv[i][j]));
                }
            }
            assertTrue(worst < 1e-4, "largest difference from the naive metric: " + worst);
        }
    }

    @Test
    void aPreconditionedStepBarelyMovesThePreservedOutputs() {
        try (LanguageModel m = TinyModels.gpt2(3); KeyPreconditioner p = KeyPreconditioner.fit(m, GPT2_MLP_OUT, PRESERVED, 0.01, line -> { });
                NDScope scope = new NDScope()) {
            double[][] keys = keys(m, GPT2_MLP_OUT, PRESERVED);
            int in = keys[0].length;
            NDArray k0 = m.manager().create(flatten(keys), new Shape(keys.length, in));
            NDArray g = m.manager().randomNormal(new Shape(in, 32));
            NDArray step = p.forDelta().apply(GPT2_MLP_OUT + ".delta", g);
            // How much of a unit step lands on the preserved outputs, K0 ΔW, with and without the metric.
            double plain = k0.matMul(g).norm().getFloat() / g.norm().getFloat();
            double preconditioned = k0.matMul(step).norm().getFloat() / step.norm().getFloat();
            System.out.printf("preserved-output change per unit step: plain %.4f, preconditioned %.4f%n", plain, preconditioned);
            assertTrue(preconditioned < 0.2 * plain, "plain " + plain + ", preconditioned " + preconditioned);
            assertEquals(g, p.forDelta().apply("h.0.mlp.c_proj.delta", g), "other tensors pass unchanged");
        }
    }

    @Test
    void aLargeRidgeIsTheIdentityOnBothLayouts() {
        try (LanguageModel gpt2 = TinyModels.gpt2(3); LanguageModel llama = TinyModels.llama(3);
                KeyPreconditioner a = KeyPreconditioner.fit(gpt2, GPT2_MLP_OUT, PRESERVED, 1e7, line -> { });
                KeyPreconditioner b = KeyPreconditioner.fit(llama, "model.layers.1.mlp.down_proj", PRESERVED, 1e7, line -> { });
                NDScope scope = new NDScope()) {
            NDArray g = gpt2.manager().randomNormal(new Shape(128, 32)); // GPT-2 Conv1D: [in, out]
            assertTrue(a.forDelta().apply(a.deltaName(), g).sub(g).abs().max().getFloat() < 1e-3);
            NDArray h = llama.manager().randomNormal(new Shape(32, 64)); // Llama: [out, in]
            assertEquals(new Shape(32, 64), b.forDelta().apply(b.deltaName(), h).getShape());
            assertTrue(b.forDelta().apply(b.deltaName(), h).sub(h).abs().max().getFloat() < 1e-3);
        }
    }

    @Test
    void rejectsWhatCannotBuildAMetric() {
        try (LanguageModel m = TinyModels.gpt2(3)) {
            assertThrows(IllegalArgumentException.class, () -> KeyPreconditioner.fit(m, GPT2_MLP_OUT, PRESERVED, 0, line -> { }));
            assertThrows(IllegalArgumentException.class, () -> KeyPreconditioner.fit(m, GPT2_MLP_OUT, PRESERVED, Double.NaN, line -> { }));
            assertThrows(IllegalArgumentException.class, () -> KeyPreconditioner.fit(m, GPT2_MLP_OUT, List.of(), 0.01, line -> { }));
            assertThrows(IllegalArgumentException.class, () -> KeyPreconditioner.fit(m, "h.9.mlp.c_proj", PRESERVED, 0.01, line -> { }));
        }
    }

    /**
     * The editor: SGD along the metric keeps the trained delta off the preserved keys far better than the same SGD
     * with a ridge so large that the metric is the identity.
     */
    @Test
    void thePreconditionedEditorKeepsItsDeltaOffThePreservedKeys() {
        double[][] share = preservedShares(new AdapterSpec.Delta(List.of(GPT2_MLP_OUT)), List.of(GPT2_MLP_OUT), 0.05f,
                (a, module) -> a.tensors().get(module + ".delta"));
        System.out.printf("preserved-key share of the trained delta: ridge 0.01 %.4f, ridge 1e7 %.4f%n", share[0][0], share[1][0]);
        assertTrue(share[0][0] < 0.5 * share[1][0], Arrays.deepToString(share));
    }

    /** A LoRA pair: A steps along {@code g M}; B along {@code g M_h} with {@code M_h} built naively from the current A. */
    @Test
    void theLoraFactorsAreSteppedInTheMetricOfWhatTheyFeed() {
        double ridge = 0.05;
        try (LanguageModel m = TinyModels.gpt2(3); KeyPreconditioner p = KeyPreconditioner.fit(m, GPT2_MLP_OUT, PRESERVED, ridge, line -> { });
                NDScope scope = new NDScope()) {
            double[][] keys = keys(m, GPT2_MLP_OUT, PRESERVED);
            int in = keys[0].length;
            int r = 4;
            int out = 32;
            NDArray a = m.manager().randomNormal(new Shape(r, in));
            GradientStep.Preconditioner lora = p.forLora(a);
            // A: g_A M, M as the metric() the first test checks against its naive reference.
            NDArray gA = m.manager().randomNormal(new Shape(r, in));
            NDArray viaMetric = gA.matMul(m.manager().create(p.metric(), new Shape(in, in)));
            assertTrue(lora.apply(GPT2_MLP_OUT + ".lora_A.weight", gA).sub(viaMetric).abs().max().getFloat() < 1e-4);
            // B: naive h-space covariance A C Aᵀ (C = Σ k kᵀ / trace), λ_h = ridge · trace / r, λ_h (A C Aᵀ + λ_h I)⁻¹.
            double[][] ad = rows(a);
            double[][] h = new double[r][r];
            double trace = 0;
            for (double[] k : keys) {
                for (int i = 0; i < in; i++) {
                    trace += k[i] * k[i];
                }
            }
            for (double[] k : keys) {
                double[] ak = new double[r];
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < in; j++) {
                        ak[i] += ad[i][j] * k[j];
                    }
                }
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < r; j++) {
                        h[i][j] += ak[i] * ak[j] / trace;
                    }
                }
            }
            double lambda = 0;
            for (int i = 0; i < r; i++) {
                lambda += h[i][i];
            }
            lambda *= ridge / r;
            for (int i = 0; i < r; i++) {
                h[i][i] += lambda;
            }
            double[][] inv = invert(h);
            NDArray gB = m.manager().randomNormal(new Shape(out, r));
            double[][] gb = rows(gB);
            float[] got = lora.apply(GPT2_MLP_OUT + ".lora_B.weight", gB).toFloatArray();
            double worst = 0;
            for (int o = 0; o < out; o++) {
                for (int j = 0; j < r; j++) {
                    double want = 0;
                    for (int i = 0; i < r; i++) {
                        want += gb[o][i] * lambda * inv[i][j];
                    }
                    worst = Math.max(worst, Math.abs(got[o * r + j] - want) / (1e-3 + Math.abs(want)));
                }
            }
            assertTrue(worst < 1e-3, "largest relative difference from the naive B metric: " + worst);
            assertEquals(gB, lora.apply("h.0.mlp.c_proj.lora_B.weight", gB), "other tensors pass unchanged");
        }
    }

    /** The same editor on a LoRA pair: the trained {@code B A} moves the preserved keys' outputs far less than with the identity. */
    @Test
    void thePreconditionedEditorKeepsItsLoraProductOffThePreservedKeys() {
        double[][] share = preservedShares(new AdapterSpec.Lora(4, 8f, List.of(GPT2_MLP_OUT)), List.of(GPT2_MLP_OUT), 0.5f,
                (a, module) -> a.tensors().get(module + ".lora_B.weight").matMul(a.tensors().get(module + ".lora_A.weight")).transpose());
        System.out.printf("preserved-key share of the trained LoRA product: ridge 0.01 %.4f, ridge 1e7 %.4f%n", share[0][0], share[1][0]);
        assertTrue(share[0][0] < 0.5 * share[1][0], Arrays.deepToString(share));
    }

    /** Deltas at two layers, each stepped in the metric of its own module's keys: both stay off their preserved keys. */
    @Test
    void deltasAtTwoLocationsAreEachSteppedInTheirOwnMetric() {
        List<String> modules = List.of("h.0.mlp.c_proj", GPT2_MLP_OUT);
        double[][] share = preservedShares(new AdapterSpec.Delta(modules), modules, 0.05f, (a, module) -> a.tensors().get(module + ".delta"));
        System.out.printf("preserved-key shares of two trained deltas: ridge 0.01 %s, ridge 1e7 %s%n", Arrays.toString(share[0]), Arrays.toString(share[1]));
        for (int i = 0; i < modules.size(); i++) {
            assertTrue(share[0][i] < 0.5 * share[1][i], modules.get(i) + ": " + Arrays.deepToString(share));
        }
    }

    /**
     * {@code ‖K0 ΔW‖ / ‖ΔW‖} per module after the preconditioned editor trains 4 edits on {@code spec}, at ridge 0.01 and
     * at 1e7 (the identity), as {@code [ridge][module]}; {@code trained} reads a module's ΔW [in, out] from the adapter.
     */
    private static double[][] preservedShares(AdapterSpec spec, List<String> modules, float lr, BiFunction<Adapter, String, NDArray> trained) {
        List<WorldEdit> edits = EditFixtures.edits(4);
        EditSettings s = EditSettings.DEFAULTS.withLearningRate(lr).withThresholds(0f, 0f).withMaxEpochs(4).withBatchSize(2).withReplay(0);
        try (LanguageModel m = EditFixtures.sharpGpt2(5)) {
            double[][] share = new double[2][modules.size()];
            double[] ridges = {0.01, 1e7};
            for (int r = 0; r < 2; r++) {
                List<KeyPreconditioner> metrics = new ArrayList<>();
                try (Adapter a = Adapter.create(m, spec, "test", 1); NDScope scope = new NDScope()) {
                    for (String module : modules) {
                        metrics.add(KeyPreconditioner.fit(m, module, PRESERVED, ridges[r], line -> { }));
                    }
                    EditResult result = new BreadthFirstEditor(m, a, a.modules(), s).precondition(metrics).apply(edits);
                    assertEquals(8, result.appliedSteps());
                    for (int i = 0; i < modules.size(); i++) {
                        double[][] keys = keys(m, modules.get(i), PRESERVED);
                        NDArray delta = trained.apply(a, modules.get(i));
                        assertTrue(delta.norm().getFloat() > 0, modules.get(i) + ": the editor trained");
                        NDArray k0 = m.manager().create(flatten(keys), new Shape(keys.length, keys[0].length));
                        share[r][i] = k0.matMul(delta).norm().getFloat() / delta.norm().getFloat();
                    }
                } finally {
                    metrics.forEach(KeyPreconditioner::close);
                }
            }
            return share;
        }
    }

    @Test
    void theEditorRefusesAPreconditionerForAnotherTensor() {
        try (LanguageModel m = TinyModels.gpt2(3); Adapter a = Adapter.create(m, new AdapterSpec.Delta(List.of(GPT2_MLP_OUT)), "test", 1);
                KeyPreconditioner p = KeyPreconditioner.fit(m, "h.0.mlp.c_proj", PRESERVED, 0.01, line -> { })) {
            BreadthFirstEditor editor = new BreadthFirstEditor(m, a, a.modules(), EditSettings.DEFAULTS);
            assertThrows(IllegalArgumentException.class, () -> editor.precondition(p));
        }
    }

    /** Every key of {@code module} on {@code texts}, one row per position, read independently of the class under test. */
    private static double[][] keys(LanguageModel m, String module, List<String> texts) {
        List<double[]> rows = new ArrayList<>();
        Adaptation record = (name, x) -> {
            if (name.equals(module)) {
                long t = x.getShape().get(1);
                for (int i = 0; i < t; i++) {
                    float[] k = x.get("0," + i + ",:").toFloatArray();
                    double[] d = new double[k.length];
                    for (int j = 0; j < k.length; j++) {
                        d[j] = k[j];
                    }
                    rows.add(d);
                }
            }
            return null;
        };
        for (String text : texts) {
            int[] ids = m.encodeWithStart(text);
            try (NDScope scope = new NDScope()) {
                m.logits(m.weights(), record, m.manager().create(LanguageModel.toLongs(ids), new Shape(1, ids.length)));
            }
        }
        return rows.toArray(new double[0][]);
    }

    private static double[][] rows(NDArray x) {
        int n = (int) x.getShape().get(0);
        int d = (int) x.getShape().get(1);
        float[] all = x.toFloatArray();
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i][j] = all[i * d + j];
            }
        }
        return out;
    }

    private static float[] flatten(double[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < rows[i].length; j++) {
                out[i * rows[i].length + j] = (float) rows[i][j];
            }
        }
        return out;
    }

    /** Gauss–Jordan with partial pivoting. */
    private static double[][] invert(double[][] a) {
        int n = a.length;
        double[][] w = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, w[i], 0, n);
            w[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(w[r][col]) > Math.abs(w[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = w[col];
            w[col] = w[pivot];
            w[pivot] = tmp;
            double d = w[col][col];
            for (int j = 0; j < 2 * n; j++) {
                w[col][j] /= d;
            }
            for (int r = 0; r < n; r++) {
                if (r != col && w[r][col] != 0) {
                    double f = w[r][col];
                    for (int j = 0; j < 2 * n; j++) {
                        w[r][j] -= f * w[col][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(w[i], n, inv[i], 0, n);
        }
        return inv;
    }
}
