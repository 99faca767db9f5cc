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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The exact CaMeLS meta-gradient through inner SGD steps, without second-order autograd (arXiv 2305.15076 §3;
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
 * <p><b>Chained inner steps</b> ({@code chained = true}, the reference's form): one inner step per row r in
 * order, θ_{r+1} = θ_r − α ∇L_r(θ_r), and the outer loss after the last, so the weights are also judged on what
 * later steps leave of earlier documents. Backpropagating through the chain (reverse-mode, v_D = ∇L_out(θ_D)):
 * <pre>
 *   ∂L_out/∂w_rt = −α s_r ⟨∇ℓ_rt(θ_r), v_{r+1}⟩          v_r = v_{r+1} − α H_r(θ_r) v_{r+1}
 * </pre>
 * where H_r is the Hessian of row r's weighted loss. The Hessian-vector product is again a central difference,
 * of two ordinary gradients along v̂ (in the backward passes' dtype), so the chain needs first-order autograd
 * only and stays exact up to O(h²); it costs two more backward passes per row. With one row both forms agree.
 *
 * <p><b>Preconditioned inner steps</b> ({@link #withPreconditioner}): every step is θ − α P ∇L with a fixed
 * diagonal P, still linear in the weights; the token gradients are taken along u = P v and the chain's update is
 * v_r = v_{r+1} − α H_r u.
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
    private final boolean chained;
    private final Map<String, NDArray> preconditioner; // null: plain SGD

    /** One inner step on all rows together. */
    public MetaGradient(InnerParameters inner, float innerLr, float locality, double fdStep, boolean float64) {
        this(inner, innerLr, locality, fdStep, float64, false);
    }

    /**
     * @param innerLr α, the inner SGD learning rate
     * @param locality λ, the weight of the KL locality term (0: none)
     * @param fdStep h, the finite-difference step along the unit direction ĝ, in parameter-norm units
     * @param float64 run the backward passes in float64 too
     * @param chained one inner step per row, in order, instead of one step on all rows from θ
     */
    public MetaGradient(InnerParameters inner, float innerLr, float locality, double fdStep, boolean float64, boolean chained) {
        this(inner, innerLr, locality, fdStep, float64, chained, null);
    }

    private MetaGradient(InnerParameters inner, float innerLr, float locality, double fdStep, boolean float64, boolean chained,
            Map<String, NDArray> preconditioner) {
        this.inner = inner;
        this.innerLr = innerLr;
        this.locality = locality;
        this.fdStep = fdStep;
        this.float64 = float64;
        this.chained = chained;
        this.preconditioner = preconditioner;
    }

    /**
     * The same meta-gradient with a diagonal preconditioner P on the inner step, θ' = θ − α P ∇L_in (still linear
     * in the token weights, so still exact: the directions become P·v). With P = 1/(√v̂ + ε) from {@link
     * AdamPreconditioner} the inner step moves θ as a document's share of a long Adam stream does, where plain SGD
     * lets a few heavily weighted tokens take a step Adam would never take.
     */
    public MetaGradient withPreconditioner(Map<String, NDArray> p) {
        return new MetaGradient(inner, innerLr, locality, fdStep, float64, chained, p);
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

    /** The outer loss after the inner steps with token weights {@code weights} [D, T]: validation and checks. */
    public Outer outerLoss(MetaBatch b, double[] weights) {
        try (NDScope scope = new NDScope(); NDManager m = inner.model().manager().newSubManager()) {
            Map<String, NDArray> theta = computeTheta();
            Outer[] parts = new Outer[1];
            List<Map<String, NDArray>> points = innerSteps(m, b, weights, theta);
            outerLossAt(m, b, points.get(points.size() - 1), theta, parts);
            return parts[0];
        }
    }

    /** ∂L_out/∂w for every token of the batch: {@code −α s_r ⟨∇ℓ_rt(θ_r), v_{r+1}⟩} (θ_r = θ, v = g for one step). */
    public Result metaGradientOfTokenWeights(MetaBatch b, double[] weights) {
        try (NDScope scope = new NDScope(); NDManager m = inner.model().manager().newSubManager()) {
            Map<String, NDArray> theta = computeTheta();
            // 1. θ' = θ − α ∇_θ L_in(θ; w): one step, or one per row with every intermediate point kept
            List<Map<String, NDArray>> points = innerSteps(m, b, weights, theta);
            // 2. g = ∇_θ' L_out(θ')
            Outer[] parts = new Outer[1];
            Map<String, NDArray> g = gradient(points.get(points.size() - 1), leaves -> outerLossAt(m, b, leaves, theta, parts));
            Outer outer = parts[0];
            double norm = norm(g);
            double[] dw = new double[b.docs() * b.length()];
            if (norm == 0 || !Double.isFinite(norm)) {
                return new Result(outer, dw, norm);
            }
            if (!chained) {
                Map<String, NDArray> u = preconditioned(g);
                tokenGradient(rows(inner, m, b, weights, 0, b.docs(), dtype()), theta, u, norm(u), b, dw);
                return new Result(outer, dw, norm);
            }
            // 3. backwards through the chain: u = P v_{r+1} gives row r's token gradient, then v_r = v_{r+1} − α H_r u
            Map<String, NDArray> v = g;
            for (int r = b.docs() - 1; r >= 0 && v != null; r--) {
                Map<String, NDArray> vr = v;
                int at = r;
                v = keptFrom(() -> {
                    Rows row = rows(inner, m, b, weights, at, at + 1, dtype());
                    Map<String, NDArray> u = preconditioned(vr);
                    double uNorm = norm(u);
                    if (uNorm == 0 || !Double.isFinite(uNorm)) {
                        return null;
                    }
                    tokenGradient(row, points.get(at), u, uNorm, b, dw);
                    if (at == 0) {
                        return null;
                    }
                    Map<String, NDArray> hu = hessianVector(row, points.get(at), u, uNorm);
                    Map<String, NDArray> next = new LinkedHashMap<>();
                    vr.forEach((k, a) -> next.put(k, a.sub(hu.get(k).mul(innerLr))));
                    return next;
                });
                vr.values().forEach(NDArray::close); // v_{r+1} is spent
            }
            return new Result(outer, dw, norm);
        }
    }

    /**
     * Writes {@code ∂L_out/∂w_rt = −α s_r ⟨∇ℓ_rt(at), v⟩} into {@code dw} for the rows' tokens: the directional
     * derivative of every token's loss along v, as a float64 central difference along v̂ = v/‖v‖.
     */
    private void tokenGradient(Rows rows, Map<String, NDArray> at, Map<String, NDArray> v, double vNorm, MetaBatch b, double[] dw) {
        Map<String, NDArray> plus = new LinkedHashMap<>();
        Map<String, NDArray> minus = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : at.entrySet()) {
            NDArray t64 = e.getValue().toType(DataType.FLOAT64, false);
            NDArray step = v.get(e.getKey()).toType(DataType.FLOAT64, false).mul(fdStep / vNorm);
            plus.put(e.getKey(), t64.add(step));
            minus.put(e.getKey(), t64.sub(step));
        }
        NDArray lossPlus = WeightedLoss.perToken(inner.logits(plus, rows.inputs()), rows.targets()); // [n, L]
        NDArray lossMinus = WeightedLoss.perToken(inner.logits(minus, rows.inputs()), rows.targets());
        double[] directional = lossPlus.sub(lossMinus).mul(vNorm / (2 * fdStep)).toDoubleArray(); // ⟨∇ℓ_rt, v⟩
        for (int r = rows.from(); r < rows.to(); r++) {
            for (int t = 0; t < rows.length(); t++) {
                int i = r * b.length() + t;
                dw[i] = b.tokenMask()[i] == 0 ? 0 : -innerLr * b.docScale()[r] * directional[(r - rows.from()) * rows.length() + t];
            }
        }
    }

    /** H v, H the Hessian of the rows' weighted inner loss at {@code at}: a central difference of two gradients along v̂. */
    private Map<String, NDArray> hessianVector(Rows rows, Map<String, NDArray> at, Map<String, NDArray> v, double vNorm) {
        Map<String, NDArray> plus = new LinkedHashMap<>();
        Map<String, NDArray> minus = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : at.entrySet()) {
            NDArray step = v.get(e.getKey()).toType(e.getValue().getDataType(), false).mul(fdStep / vNorm);
            plus.put(e.getKey(), e.getValue().add(step));
            minus.put(e.getKey(), e.getValue().sub(step));
        }
        Map<String, NDArray> gPlus = gradient(plus, rows::loss);
        Map<String, NDArray> gMinus = gradient(minus, rows::loss);
        Map<String, NDArray> hv = new LinkedHashMap<>();
        gPlus.forEach((k, a) -> hv.put(k, a.sub(gMinus.get(k)).mul(vNorm / (2 * fdStep))));
        return hv;
    }

    /** P ⊙ v, or v itself without a preconditioner. */
    private Map<String, NDArray> preconditioned(Map<String, NDArray> v) {
        if (preconditioner == null) {
            return v;
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        v.forEach((k, a) -> out.put(k, a.mul(preconditioner.get(k).toType(a.getDataType(), false))));
        return out;
    }

    private static double norm(Map<String, NDArray> g) {
        double sq = 0;
        for (NDArray a : g.values()) {
            sq += a.toType(DataType.FLOAT64, false).square().sum().getDouble();
        }
        return Math.sqrt(sq);
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

    /**
     * The points of the inner loop, θ first and θ' last, as new arrays without gradient history: one step
     * θ − α P ∇_θ Σ_r s_r Σ_t w_rt ℓ_rt(θ) on all rows (P = 1 without a preconditioner), or with {@code chained}
     * one step per row in order.
     */
    private List<Map<String, NDArray>> innerSteps(NDManager m, MetaBatch b, double[] weights, Map<String, NDArray> theta) {
        List<Map<String, NDArray>> points = new ArrayList<>(List.of(theta));
        int stride = chained ? 1 : b.docs();
        for (int from = 0; from < b.docs(); from += stride) {
            int first = from;
            points.add(keptFrom(() -> {
                Rows rows = rows(inner, m, b, weights, first, first + stride, dtype());
                Map<String, NDArray> at = points.get(points.size() - 1);
                Map<String, NDArray> grad = preconditioned(gradient(at, rows::loss));
                Map<String, NDArray> next = new LinkedHashMap<>();
                at.forEach((k, v) -> next.put(k, v.sub(grad.get(k).mul(innerLr))));
                return next;
            }));
        }
        return points;
    }

    /**
     * Runs {@code work} in a scope of its own and keeps only the arrays of the map it returns (moved to the caller's
     * scope): a chain's steps then hold its points and one backward vector, not every pass's activations at once.
     */
    private static Map<String, NDArray> keptFrom(Supplier<Map<String, NDArray>> work) {
        Map<String, NDArray> kept;
        try (NDScope step = new NDScope()) {
            kept = work.get();
            if (kept != null) {
                kept.values().forEach(a -> NDScope.unregister(a));
            }
        }
        if (kept != null) {
            kept.values().forEach(a -> NDScope.register(a));
        }
        return kept;
    }

    /**
     * Rows [from, to) of the batch's documents as tensors, cut to their longest real length: inputs and targets
     * [n, L], weights [n, L] and per-row scales [n, 1] in {@code dt}, the backward passes' dtype.
     */
    static Rows rows(InnerParameters inner, NDManager m, MetaBatch b, double[] weights, int from, int to, DataType dt) {
        int n = to - from;
        int length = 1;
        for (int i = from * b.length(); i < to * b.length(); i++) {
            if (b.tokenMask()[i] != 0) {
                length = Math.max(length, i % b.length() + 1);
            }
        }
        long[] in = new long[n * length];
        long[] tg = new long[n * length];
        double[] w = new double[n * length];
        float[] scale = new float[n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(b.docInputs(), (from + r) * b.length(), in, r * length, length);
            System.arraycopy(b.docTargets(), (from + r) * b.length(), tg, r * length, length);
            System.arraycopy(weights, (from + r) * b.length(), w, r * length, length);
            scale[r] = b.docScale()[from + r];
        }
        return new Rows(inner, from, to, length, m.create(in, new Shape(n, length)), m.create(tg, new Shape(n, length)),
                m.create(w, new Shape(n, length)).toType(dt, false), m.create(scale, new Shape(n, 1)).toType(dt, false));
    }

    /** The backward passes' dtype. */
    private DataType dtype() {
        return float64 ? DataType.FLOAT64 : DataType.FLOAT32;
    }

    /** Rows of a batch an inner step trains on; {@link #loss} is their weighted loss {@code Σ_r s_r Σ_t w_rt ℓ_rt}. */
    record Rows(InnerParameters inner, int from, int to, int length, NDArray inputs, NDArray targets, NDArray weights, NDArray scale) {
        NDArray loss(Map<String, NDArray> at) {
            return CamelsLosses.camelsWeightedLoss(inner.logits(at, inputs), targets, weights, scale);
        }
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
