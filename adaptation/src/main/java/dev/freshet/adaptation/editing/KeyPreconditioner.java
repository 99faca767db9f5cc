package dev.freshet.adaptation.editing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ParamSpec;
import dev.freshet.adaptation.train.GradientStep;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Steps a localized dense delta in the metric of the outputs it must not move: an extension beyond LocFT-BF that
 * borrows MEMIT's key covariance (Meng et al., arXiv 2210.07229, §4.3, {@code C0 = K0 K0ᵀ}) as a preconditioner.
 *
 * <p>A projection {@code y = x W} changes by {@code x ΔW}. Let {@code K0} [n, in] be the inputs ("keys") it sees on
 * preserved text and {@code C = K0ᵀ K0} [in, in]. The gradient becomes
 * <pre>
 *   g ← M g,   M = λ (C + λ I)⁻¹,   λ = ridge · trace(C) / in
 * </pre>
 * on the delta's input side. {@code M}'s eigenvalues lie in (0, 1]: a direction no preserved key uses moves at the
 * plain rate, one they use a lot hardly moves. It is steepest descent under the trust region
 * {@code ‖K0 ΔW‖² + λ ‖ΔW‖²}, so, run with SGD from a zero delta, training ends near the fit of the edits that moves
 * the preserved outputs least; with Adam the per-element scaling would undo the metric, hence
 * {@link BreadthFirstEditor#precondition} uses SGD with momentum.
 *
 * <p>Why: on the default model, 356 edits at one projection broke most neighbours, whose answers became some edit's
 * target. A question's key is mostly what all questions of its relation share; a plain step writes the new answer
 * along that shared part, so every subject of the relation gets it. Keys of preserved questions put the shared part
 * in {@code C}, and {@code M} takes it out of every step, leaving what is particular to the edit's subject.
 */
public final class KeyPreconditioner implements AutoCloseable {

    private final NDManager manager;
    /** M [in, in] float32. */
    private final NDArray metric;
    /** C / trace(C) [in, in] float32: the keys' covariance, for a LoRA B factor's metric. */
    private final NDArray covariance;
    private final double ridge;
    private final String module;
    private final boolean inputFirst;
    private final int keys;

    private KeyPreconditioner(NDManager manager, NDArray metric, NDArray covariance, double ridge, String module, boolean inputFirst, int keys) {
        this.manager = manager;
        this.metric = metric;
        this.covariance = covariance;
        this.ridge = ridge;
        this.module = module;
        this.inputFirst = inputFirst;
        this.keys = keys;
    }

    /**
     * Reads the keys of {@code module} at every position of {@code texts} through the unedited model and builds
     * {@code M}.
     *
     * @param ridge λ relative to the keys' mean energy per input dimension; larger is closer to plain SGD
     */
    public static KeyPreconditioner fit(LanguageModel model, String module, List<String> texts, double ridge, Consumer<String> log) {
        ParamSpec spec = model.architecture().parameters().stream()
                .filter(p -> p.module().equals(module) && p.role() != ParamSpec.Role.BIAS)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("key preconditioner: '" + module + "' is no projection of " + model.id()));
        if (!(ridge > 0) || Double.isInfinite(ridge)) {
            throw new IllegalArgumentException("key preconditioner: ridge must be a positive number, got " + ridge);
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("key preconditioner: no texts to read the keys of " + module + " from");
        }
        boolean inputFirst = spec.role() == ParamSpec.Role.PROJECTION_IN_OUT;
        int in = (int) (inputFirst ? spec.shape()[0] : spec.shape()[1]);
        long start = System.nanoTime();
        NDManager m = model.manager().newSubManager();
        try {
            Keys k = keyCovariance(model, module, in, texts, m);
            NDArray cov = k.covariance();
            double lambda = ridge * trace(cov) / in;
            NDArray metric;
            NDArray normalized;
            try (NDScope scope = new NDScope()) {
                NDArray ridged = cov.add(m.eye(in).toType(DataType.FLOAT64, false).mul(lambda));
                metric = ridged.inverse().mul(lambda).toType(DataType.FLOAT32, false);
                normalized = cov.div(trace(cov)).toType(DataType.FLOAT32, false);
                NDScope.unregister(metric, normalized);
            }
            cov.close();
            log.accept(String.format("key preconditioner at %s: %d keys from %d texts, ridge %s (λ %.3g), %.1f s", module, k.count(), texts.size(), ridge, lambda,
                    (System.nanoTime() - start) / 1e9));
            return new KeyPreconditioner(m, metric, normalized, ridge, module, inputFirst, k.count());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** {@code C = Σ k kᵀ} [in, in] float64 over {@code count} keys. */
    private record Keys(NDArray covariance, int count) {}

    /** The keys of {@code module} at every position of every text, summed as {@link Keys}, in {@code m}. */
    private static Keys keyCovariance(LanguageModel model, String module, int in, List<String> texts, NDManager m) {
        NDArray cov = m.zeros(new Shape(in, in), DataType.FLOAT64);
        int[] count = {0};
        // Records the projection's input and adds nothing: the unedited model.
        Adaptation record = (name, x) -> {
            if (name.equals(module)) {
                NDArray k = x.reshape(-1, in).toType(DataType.FLOAT64, false); // [T, in]
                cov.addi(k.transpose().matMul(k));
                count[0] += (int) k.getShape().get(0);
            }
            return null;
        };
        int maxLen = model.config().maxPositions();
        for (String text : texts) {
            int[] ids = model.encodeWithStart(text);
            long[] row = LanguageModel.toLongs(Arrays.copyOf(ids, Math.min(ids.length, maxLen)));
            try (NDScope scope = new NDScope()) {
                model.logits(model.weights(), record, m.create(row, new Shape(1, row.length)));
            }
        }
        return new Keys(cov, count[0]);
    }

    private static double trace(NDArray c) {
        double[] all = c.toDoubleArray();
        int n = (int) c.getShape().get(0);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += all[i * n + i];
        }
        return s;
    }

    /** Keys {@code M} was built from. */
    public int keys() {
        return keys;
    }

    /** A copy of {@code M} [in, in], row-major. */
    public float[] metric() {
        return metric.toFloatArray();
    }

    /** {@code M g} for this module's delta, on the input side of its layout; any other gradient as it is. */
    public GradientStep.Preconditioner forDelta() {
        return (name, grad) -> !name.equals(deltaName()) ? grad : inputFirst ? metric.matMul(grad) : grad.matMul(metric);
    }

    /**
     * The same metric for a LoRA pair at this module, {@code ΔW = B A · s} with A [r, in] and B [out, r]
     * (both layouts: LoRA factors are stored input-last). A preserved key {@code k} moves the output by
     * {@code s B (A k)}, so both factors are stepped in the metric of what they feed:
     * <pre>
     *   g_A ← g_A M                                  (A's input side: the keys themselves)
     *   g_B ← g_B M_h,  M_h = λ_h (A C Aᵀ + λ_h I)⁻¹, λ_h = ridge · trace(A C Aᵀ) / r
     * </pre>
     * {@code M_h} is {@code M} read through the current A (the keys' covariance in the r-dimensional space B
     * sees), recomputed at every step because A moves. Any other gradient passes as it is.
     *
     * @param a the pair's A factor as trained (updated in place)
     */
    public GradientStep.Preconditioner forLora(NDArray a) {
        String aName = module + LORA_A;
        String bName = module + LORA_B;
        return (name, grad) -> {
            if (name.equals(aName)) {
                return grad.matMul(metric);
            }
            if (!name.equals(bName)) {
                return grad;
            }
            NDArray h = a.matMul(covariance).matMul(a.transpose()).toType(DataType.FLOAT64, false); // A C Aᵀ [r, r]
            int r = (int) h.getShape().get(0);
            double lambda = ridge * trace(h) / r;
            NDArray mh = h.add(h.getManager().eye(r).toType(DataType.FLOAT64, false).mul(lambda)).inverse().mul(lambda).toType(DataType.FLOAT32, false);
            return grad.matMul(mh);
        };
    }

    /** For the trainable set of an editor: {@link #forDelta} when it trains this module's delta, {@link #forLora} for its LoRA pair. */
    public GradientStep.Preconditioner forTrainable(Map<String, NDArray> trainable) {
        if (trainable.containsKey(deltaName())) {
            return forDelta();
        }
        NDArray a = trainable.get(module + LORA_A);
        if (a == null || !trainable.containsKey(module + LORA_B)) {
            throw new IllegalArgumentException("key preconditioner for " + module + " but the editor trains " + trainable.keySet());
        }
        return forLora(a);
    }

    private static final String LORA_A = ".lora_A.weight";
    private static final String LORA_B = ".lora_B.weight";

    /** The adapter tensor this preconditions in a dense adapter: {@code <module>.delta}. */
    public String deltaName() {
        return module + ".delta";
    }

    @Override
    public void close() {
        manager.close();
    }
}
