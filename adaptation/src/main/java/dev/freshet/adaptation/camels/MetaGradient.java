package dev.freshet.adaptation.camels;

import dev.freshet.adaptation.model.Ops;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.train.WeightedLoss;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The exact CaMeLS meta-gradient for one inner SGD step, without second-order autograd (arXiv 2305.15076 §3;
 * derivation in stack.md, "Second-order gradients").
 *
 * <p>Shapes: D documents, T positions, P = |θ|. The inner step from fixed θ is linear in the token weights:
 * <pre>
 *   θ'(w) = θ − α ∇_θ Σ_d s_d Σ_t w_dt ℓ_dt(θ)          (s_d = 1/N_d, ℓ_dt the token's cross-entropy)
 *   ∂L_out/∂w_dt = −α s_d ⟨∇L_out(θ'), ∇ℓ_dt(θ)⟩           (L_out = answer NLL + λ·KL(p_θ ‖ p_θ'))
 * </pre>
 * so the whole [D, T] gradient costs one backward for the inner step, one for {@code g = ∇L_out(θ')}, and two
 * forward passes: {@code ⟨∇ℓ_dt(θ), g⟩} is the directional derivative of every token's loss along g, taken as a
 * central difference {@code ‖g‖·(ℓ(θ + h·ĝ) − ℓ(θ − h·ĝ)) / 2h} in float64 (error O(h²) from the third
 * derivative, rounding ~1e-16/h). Nothing keeps a graph across backward passes, so nothing leaks (creating the
 * double-backward graph does, about 2.5× |θ| per step).
 *
 * <p>Backward passes run in float32, or in float64 with {@code float64 = true} (for gradient checks).
 * Every method allocates inside its own {@link NDScope}; nothing outlives a call. One training thread only:
 * DJL allows one gradient collector per process.
 */
public final class MetaGradient {

    private final InnerParameters inner;
    private final float innerLr;
    private final float locality;
    private final double fdStep;
    private final boolean float64;

    /**
     * @param innerLr α, the inner SGD learning rate
     * @param locality λ, the weight of the KL locality term (0: none)
     * @param fdStep h, the finite-difference step along the unit direction ĝ, in parameter-norm units
     * @param float64 run the backward passes in float64 too
     */
    public MetaGradient(InnerParameters inner, float innerLr, float locality, double fdStep, boolean float64) {
        this.inner = inner;
        this.innerLr = innerLr;
        this.locality = locality;
        this.fdStep = fdStep;
        this.float64 = float64;
    }

    /** The outer loss and its parts; {@code total = answerNll + λ·localityKl}. */
    public record Outer(double total, double answerNll, double localityKl) {}

    /**
     * One exact meta-gradient evaluation.
     *
     * @param outer L_out(θ'(w)) at the given weights
     * @param tokenWeightGradient [D, T] ∂L_out/∂w, 0 at padding
     * @param outerGradNorm ‖∇L_out(θ')‖
     */
    public record Result(Outer outer, double[] tokenWeightGradient, double outerGradNorm) {}

    /** The outer loss after one inner step with token weights {@code weights} [D, T]: validation and checks. */
    public Outer outerLoss(MetaBatch b, double[] weights) {
        try (NDScope scope = new NDScope(); NDManager m = inner.model().manager().newSubManager()) {
            Map<String, NDArray> theta = computeTheta();
            Outer[] parts = new Outer[1];
            outerLossAt(m, b, innerStep(m, b, weights, theta), theta, parts);
            return parts[0];
        }
    }

    /** ∂L_out/∂w for every token of the batch: {@code −α s_d ⟨∇L_out(θ'), ∇ℓ_dt(θ)⟩}. */
    public Result metaGradientOfTokenWeights(MetaBatch b, double[] weights) {
        try (NDScope scope = new NDScope(); NDManager m = inner.model().manager().newSubManager()) {
            Map<String, NDArray> theta = computeTheta();
            // 1. θ' = θ − α ∇_θ L_in(θ; w)
            Map<String, NDArray> thetaPrime = innerStep(m, b, weights, theta);
            // 2. g = ∇_θ' L_out(θ')
            Outer[] parts = new Outer[1];
            Map<String, NDArray> g = gradient(thetaPrime, leaves -> outerLossAt(m, b, leaves, theta, parts));
            Outer outer = parts[0];
            double norm = 0;
            for (NDArray a : g.values()) {
                norm += a.toType(DataType.FLOAT64, false).square().sum().getDouble();
            }
            norm = Math.sqrt(norm);
            double[] dw = new double[b.docs() * b.length()];
            if (norm == 0 || !Double.isFinite(norm)) {
                return new Result(outer, dw, norm);
            }
            // 3. ⟨∇ℓ_dt(θ), g⟩ for all tokens at once: central difference along ĝ = g/‖g‖, in float64
            Map<String, NDArray> plus = new LinkedHashMap<>();
            Map<String, NDArray> minus = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : theta.entrySet()) {
                NDArray t64 = e.getValue().toType(DataType.FLOAT64, false);
                NDArray step = g.get(e.getKey()).toType(DataType.FLOAT64, false).mul(fdStep / norm);
                plus.put(e.getKey(), t64.add(step));
                minus.put(e.getKey(), t64.sub(step));
            }
            NDArray in = m.create(b.docInputs(), new Shape(b.docs(), b.length()));
            NDArray targets = m.create(b.docTargets(), new Shape(b.docs(), b.length()));
            NDArray lossPlus = WeightedLoss.perToken(inner.logits(plus, in), targets); // [D, T]
            NDArray lossMinus = WeightedLoss.perToken(inner.logits(minus, in), targets);
            double[] directional = lossPlus.sub(lossMinus).mul(norm / (2 * fdStep)).toDoubleArray(); // ⟨∇ℓ_dt, g⟩
            // 4. ∂L_out/∂w_dt = −α s_d ⟨∇ℓ_dt, g⟩
            for (int d = 0; d < b.docs(); d++) {
                for (int t = 0; t < b.length(); t++) {
                    int i = d * b.length() + t;
                    dw[i] = b.tokenMask()[i] == 0 ? 0 : -innerLr * b.docScale()[d] * directional[i];
                }
            }
            return new Result(outer, dw, norm);
        }
    }

    /**
     * ∇_φ of {@code Σ_dt (∂L_out/∂w_dt) · w_dt(φ)}: backpropagates the token-weight gradient through the weighting
     * model only (its value equals ∇_φ L_out, since L_out depends on φ through w alone). Arrays in the caller's
     * scope.
     *
     * @param phi the weighting model's parameters to differentiate at (stored, or float64 copies)
     */
    public static Map<String, NDArray> metaGradientOfWeightingModel(WeightingModel model, Map<String, NDArray> phi, MetaBatch b,
            double[] tokenWeightGradient, NDManager m) {
        NDArray ids = m.create(b.docTokens(), new Shape(b.docs(), b.length() + 1));
        NDArray c = m.create(tokenWeightGradient, new Shape(b.docs(), b.length()));
        NDArray mask = model.normalized() ? m.create(b.tokenMask(), new Shape(b.docs(), b.length())) : null;
        return gradient(phi, leaves -> {
            NDArray w = model.tokenWeights(leaves, ids).get(new NDIndex(":, 1:")); // [D, T]
            if (mask != null) {
                w = WeightingModel.normalise(w, mask.toType(w.getDataType(), false));
            }
            return w.mul(c.toType(w.getDataType(), false)).sum();
        });
    }

    /**
     * Token weights [D, T] the weighting model gives a batch (position t+1's output weights target t), 0 at padding;
     * averaged to 1 per document when the model is {@link WeightingModel#normalized() normalised}.
     */
    public static double[] tokenWeights(WeightingModel model, Map<String, NDArray> phi, MetaBatch b) {
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            NDArray ids = m.create(b.docTokens(), new Shape(b.docs(), b.length() + 1));
            NDArray raw = model.tokenWeights(phi, ids).get(new NDIndex(":, 1:")).toType(DataType.FLOAT64, false); // [D, T]
            NDArray mask = m.create(b.tokenMask(), new Shape(b.docs(), b.length())).toType(DataType.FLOAT64, false);
            return (model.normalized() ? WeightingModel.normalise(raw, mask) : raw.mul(mask)).toDoubleArray();
        }
    }

    private Map<String, NDArray> computeTheta() {
        if (!float64) {
            return inner.values();
        }
        Map<String, NDArray> t = new LinkedHashMap<>();
        inner.values().forEach((k, v) -> t.put(k, v.toType(DataType.FLOAT64, true)));
        return t;
    }

    /** θ − α ∇_θ Σ_d s_d Σ_t w_dt ℓ_dt(θ), as new arrays without gradient history. */
    private Map<String, NDArray> innerStep(NDManager m, MetaBatch b, double[] weights, Map<String, NDArray> theta) {
        NDArray in = m.create(b.docInputs(), new Shape(b.docs(), b.length()));
        NDArray targets = m.create(b.docTargets(), new Shape(b.docs(), b.length()));
        DataType dt = float64 ? DataType.FLOAT64 : DataType.FLOAT32;
        NDArray w = m.create(weights, new Shape(b.docs(), b.length())).toType(dt, false);
        NDArray scale = m.create(b.docScale(), new Shape(b.docs(), 1)).toType(dt, false);
        Map<String, NDArray> grad = gradient(theta, leaves -> CamelsLosses.camelsWeightedLoss(inner.logits(leaves, in), targets, w, scale));
        Map<String, NDArray> out = new LinkedHashMap<>();
        theta.forEach((k, v) -> out.put(k, v.sub(grad.get(k).mul(innerLr))));
        return out;
    }

    /** answer NLL(θ') + λ·KL(p_θ ‖ p_θ'); writes the parts' values to {@code parts[0]}. */
    private NDArray outerLossAt(NDManager m, MetaBatch b, Map<String, NDArray> thetaPrime, Map<String, NDArray> theta, Outer[] parts) {
        NDArray qaIn = m.create(b.qaInputs(), new Shape(b.questions(), b.qaLength()));
        NDArray qaTg = m.create(b.qaTargets(), new Shape(b.questions(), b.qaLength()));
        NDArray answer = m.create(b.answerMask(), new Shape(b.questions(), b.qaLength()));
        NDArray nll = CamelsLosses.answerNll(inner.logits(thetaPrime, qaIn), qaTg, answer, b.answerTokens());
        NDArray total = nll;
        double kl = 0;
        if (locality > 0 && b.unrelated() > 0) {
            NDArray unIn = m.create(b.unrelatedInputs(), new Shape(b.unrelated(), b.unrelatedLength()));
            NDArray unMask = m.create(b.unrelatedMask(), new Shape(b.unrelated(), b.unrelatedLength()));
            NDArray baseLogp = inner.logits(theta, unIn).logSoftmax(-1).stopGradient(); // [K, Tk, V], constant
            NDArray klArr = CamelsLosses.localityKl(inner.logits(thetaPrime, unIn), baseLogp, unMask, b.unrelatedTokens());
            kl = klArr.toType(DataType.FLOAT64, false).getDouble();
            total = nll.add(klArr.mul(Ops.constant(klArr, locality)));
        }
        double n = nll.toType(DataType.FLOAT64, false).getDouble();
        parts[0] = new Outer(n + locality * kl, n, kl);
        return total;
    }

    /**
     * ∇ of a scalar loss at {@code at}, on fresh gradient-tracking leaves (copies), in the caller's scope. The
     * leaves are new every call, so no gradient accumulates and no graph outlives the call.
     */
    static Map<String, NDArray> gradient(Map<String, NDArray> at, Function<Map<String, NDArray>, NDArray> loss) {
        Map<String, NDArray> leaves = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : at.entrySet()) {
            NDArray leaf = e.getValue().duplicate();
            leaf.setRequiresGradient(true);
            leaves.put(e.getKey(), leaf);
        }
        try (GradientCollector gc = Devices.engine().newGradientCollector()) {
            NDArray l = loss.apply(leaves);
            if (!Float.isFinite(l.toType(DataType.FLOAT32, false).getFloat())) {
                throw new ArithmeticException("non-finite loss in a meta-gradient pass");
            }
            gc.backward(l);
        }
        Map<String, NDArray> grads = new LinkedHashMap<>();
        leaves.forEach((k, v) -> grads.put(k, v.getGradient()));
        return grads;
    }
}
