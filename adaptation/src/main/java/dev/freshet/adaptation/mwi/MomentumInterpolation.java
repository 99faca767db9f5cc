package dev.freshet.adaptation.mwi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.train.StepResult;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Momentum-based weight interpolation over an adapter (Stojanovski, Roth, Akata, arXiv 2211.03186).
 *
 * <p>Two copies of the adapter's tensors: <b>fast</b>, the adapter itself, trained by any trainer; and
 * <b>slow</b>, owned here, never trained, and what is served. Every N applied optimizer steps,
 * {@code slow ← τ·slow + (1 − τ)·fast}. The slow copy starts at zero delta, the base model (the paper's
 * "pretrained weights"): dense deltas and LoRA B factors start at zero, LoRA A factors as a copy of the
 * fast A, so the slow copy is itself a valid adapter of the same spec. For LoRA the factors are
 * interpolated, not the product B·A; the slow ΔW is then bilinear in τ, which is what interpolating the
 * trainable weights means for a factored adapter.
 *
 * <p>Shapes: every slow tensor has its fast twin's shape (delta [in, out] or [out, in]; LoRA A [r, in],
 * B [out, r]). The slow tensors live in a sub-manager of the fast adapter's, so they cannot outlive it.
 *
 * <p>A slow copy may follow only some of the adapter's tensors ({@link #resumingFrom(Adapter, MwiSettings, Predicate)}):
 * the others are served as trained. The server uses this to smooth what documents train while an edit learner's
 * own tensors serve each fact correction at once.
 *
 * <p>Composes with any trainer that steps the adapter in place: register {@link #afterStep} as its
 * after-step hook (e.g. {@code EditTrainer.afterEachStep(mwi::afterStep)}), and call
 * {@link #onWindowBoundary} between windows. Not thread-safe: call it from the training thread.
 */
public final class MomentumInterpolation implements AutoCloseable {

    private final Adapter fast;
    private final MwiSettings settings;
    private final NDManager manager;
    /** The followed tensors' slow twins; a tensor not here is served as trained. */
    private final Map<String, NDArray> slow = new LinkedHashMap<>();
    private long steps;
    private long interpolations;
    private long resets;

    public MomentumInterpolation(Adapter fast, MwiSettings settings) {
        this(fast, settings, false, name -> true);
    }

    /**
     * A slow copy that starts at the fast weights as they are now, not at the base model: for an adapter that
     * resumes from a version it published, whose weights are the slow copy of before (a server restarting, or
     * a tenant reloaded after a rejected version). On a fresh adapter the two starts are the same.
     */
    public static MomentumInterpolation resumingFrom(Adapter fast, MwiSettings settings) {
        return resumingFrom(fast, settings, name -> true);
    }

    /**
     * As {@link #resumingFrom(Adapter, MwiSettings)}, with a slow copy of only the tensors {@code follows} accepts;
     * the others are served, published and reset as they are trained.
     */
    public static MomentumInterpolation resumingFrom(Adapter fast, MwiSettings settings, Predicate<String> follows) {
        return new MomentumInterpolation(fast, settings, true, follows);
    }

    private MomentumInterpolation(Adapter fast, MwiSettings settings, boolean fromFast, Predicate<String> follows) {
        this.fast = fast;
        this.settings = settings;
        this.manager = fast.manager().newSubManager();
        for (Map.Entry<String, NDArray> e : fast.tensors().entrySet()) {
            if (!follows.test(e.getKey())) {
                continue;
            }
            boolean copy = fromFast || e.getKey().endsWith(".lora_A.weight");
            NDArray s = copy ? e.getValue().duplicate() : manager.zeros(e.getValue().getShape());
            NDScope.unregister(s); // outlives any step scope it is created in
            s.attach(manager);
            slow.put(e.getKey(), s);
        }
    }

    /** The hook to call after each optimizer step: counts applied steps and interpolates every N. */
    public void afterStep(StepResult step) {
        if (!step.applied()) {
            return;
        }
        steps++;
        if (steps % settings.every() == 0) {
            interpolateSlowWeights();
        }
    }

    /** {@code slow ← τ·slow + (1 − τ)·fast} for every tensor, in place. */
    public void interpolateSlowWeights() {
        float tau = (float) settings.tau();
        try (NDScope scope = new NDScope()) {
            for (Map.Entry<String, NDArray> e : slow.entrySet()) {
                e.getValue().muli(tau).addi(fast.tensors().get(e.getKey()).mul(1f - tau));
            }
        }
        interpolations++;
    }

    /**
     * Marks the end of a window. Under {@link MwiSettings.ResetPolicy#PER_WINDOW} the fast weights are set
     * to the slow ones (the trainer's optimizer moments are its own business: editors start a fresh Adam
     * per window anyway).
     */
    public void onWindowBoundary() {
        if (settings.reset() == MwiSettings.ResetPolicy.PER_WINDOW) {
            for (Map.Entry<String, NDArray> e : slow.entrySet()) {
                e.getValue().copyTo(fast.tensors().get(e.getKey()));
            }
            resets++;
        }
    }

    /** The slow copy as applied to a forward pass: what is evaluated and served (unfollowed tensors as trained). */
    public Adaptation slowAdaptation() {
        Map<String, NDArray> served = new LinkedHashMap<>(fast.tensors());
        served.putAll(slow);
        return fast.over(served);
    }

    /** The followed tensors' slow twins by name (live, read-only view). */
    public Map<String, NDArray> slowTensors() {
        return Collections.unmodifiableMap(slow);
    }

    /**
     * A standalone adapter holding a copy of the slow weights (and of the trained ones where none is followed), e.g. to
     * publish a version; the caller closes it.
     */
    public Adapter slowAdapter(AdapterManifest manifest) {
        Adapter copy = fast.copy(manifest);
        for (Map.Entry<String, NDArray> e : slow.entrySet()) {
            e.getValue().copyTo(copy.tensors().get(e.getKey()));
        }
        return copy;
    }

    public MwiSettings settings() {
        return settings;
    }

    /** See {@link MwiSettings#halfLifeSteps()}. */
    public double halfLifeSteps() {
        return settings.halfLifeSteps();
    }

    /** Applied optimizer steps seen by {@link #afterStep}. */
    public long steps() {
        return steps;
    }

    public long interpolations() {
        return interpolations;
    }

    /** Window boundaries that reset the fast weights. */
    public long resets() {
        return resets;
    }

    @Override
    public void close() {
        manager.close();
    }
}
