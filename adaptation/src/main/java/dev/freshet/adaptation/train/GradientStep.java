package dev.freshet.adaptation.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.freshet.adaptation.model.Devices;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One optimizer step over a set of trainable arrays: an adapter's tensors, or every base weight when
 * pretraining.
 *
 * <p>Each step copies the trainable arrays into fresh gradient-tracking leaves inside an {@link NDScope},
 * runs the loss on the leaves, and applies the update to the stored arrays. Fresh leaves mean no
 * gradient ever accumulates across steps and nothing gradient-related outlives the step (DJL's
 * gradient state is process-global; its issue tracker lists the leaks this avoids). The copy costs one
 * memcpy of the trainable set, small next to a forward and backward pass.
 *
 * <p>A non-finite loss or gradient refuses the step before anything is written. Only one training thread
 * may run steps in a process: DJL allows one active gradient collector.
 */
public final class GradientStep {

    private final Map<String, NDArray> trainable;
    private final Optimizer optimizer;
    private final float clipNorm;
    private final Preconditioner preconditioner;
    private long steps;

    /** What the optimizer is given instead of a gradient: e.g. the gradient in another metric. */
    @FunctionalInterface
    public interface Preconditioner {
        /** Leaves every gradient as it is. */
        Preconditioner NONE = (name, grad) -> grad;

        /** The array the optimizer steps along, for the parameter {@code name}, in the caller's scope. */
        NDArray apply(String name, NDArray grad);
    }

    /**
     * @param trainable arrays updated in place, by name
     * @param clipNorm global gradient-norm clip; {@code <= 0} disables clipping
     */
    public GradientStep(Map<String, NDArray> trainable, Optimizer optimizer, float clipNorm) {
        this(trainable, optimizer, clipNorm, Preconditioner.NONE);
    }

    /** As above, with each (clipped) gradient passed through {@code preconditioner} before the optimizer. */
    public GradientStep(Map<String, NDArray> trainable, Optimizer optimizer, float clipNorm, Preconditioner preconditioner) {
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.clipNorm = clipNorm;
        this.preconditioner = preconditioner;
    }

    /**
     * The loss and its gradient at {@code at}, copied out to Java arrays, with nothing updated: for
     * finite-difference checks and meta-gradients.
     */
    public static Gradients gradients(Map<String, NDArray> at, Function<Map<String, NDArray>, NDArray> loss) {
        try (NDScope scope = new NDScope()) {
            Map<String, NDArray> leaves = leavesOf(at);
            float value = lossAndBackward(leaves, loss, Float.NEGATIVE_INFINITY);
            Map<String, float[]> grads = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : leaves.entrySet()) {
                grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
            }
            return new Gradients(value, grads);
        }
    }

    /** A loss value and its gradient by parameter name. */
    public record Gradients(float loss, Map<String, float[]> grads) {}

    /** Steps applied so far. */
    public long steps() {
        return steps;
    }

    /**
     * As {@link #step(Function, float)}, but a loss already below {@code skipBelow} updates nothing, not
     * even the optimizer's moments (LocFT skips batches it has learned), and costs no backward pass.
     */
    public StepResult step(Function<Map<String, NDArray>, NDArray> loss, float lr, float skipBelow) {
        return run(loss, lr, skipBelow);
    }

    /** One step at the optimizer's base learning rate. */
    public StepResult step(Function<Map<String, NDArray>, NDArray> loss) {
        return step(loss, optimizer.learningRate());
    }

    /**
     * Computes {@code loss(leaves)}, backpropagates and updates the trainable arrays.
     *
     * @param loss builds a scalar loss from leaves that mirror the trainable arrays
     */
    public StepResult step(Function<Map<String, NDArray>, NDArray> loss, float lr) {
        return run(loss, lr, Float.NEGATIVE_INFINITY);
    }

    private StepResult run(Function<Map<String, NDArray>, NDArray> loss, float lr, float skipBelow) {
        try (NDScope scope = new NDScope()) {
            Map<String, NDArray> leaves = leavesOf(trainable);
            float value = lossAndBackward(leaves, loss, skipBelow);
            if (!Float.isFinite(value)) {
                return StepResult.refused(value, Float.NaN, "non-finite loss " + value);
            }
            if (value < skipBelow) {
                return StepResult.skipped(value);
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            double sq = 0;
            for (Map.Entry<String, NDArray> e : leaves.entrySet()) {
                NDArray g = e.getValue().getGradient();
                grads.put(e.getKey(), g);
                sq += g.square().sum().getFloat();
            }
            float norm = (float) Math.sqrt(sq);
            if (!Float.isFinite(norm)) {
                return StepResult.refused(value, norm, "non-finite gradient norm " + norm);
            }
            float scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1f;
            steps++;
            for (Map.Entry<String, NDArray> e : grads.entrySet()) {
                NDArray g = preconditioner.apply(e.getKey(), scale == 1f ? e.getValue() : e.getValue().mul(scale));
                optimizer.update(e.getKey(), trainable.get(e.getKey()), g, lr, steps);
            }
            return StepResult.applied(value, norm);
        }
    }

    /** Fresh gradient-tracking copies of {@code arrays}, owned by the caller's scope. */
    private static Map<String, NDArray> leavesOf(Map<String, NDArray> arrays) {
        Map<String, NDArray> leaves = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray leaf = e.getValue().duplicate();
            leaf.setRequiresGradient(true);
            leaves.put(e.getKey(), leaf);
        }
        return leaves;
    }

    /**
     * The loss at the leaves; backpropagates only when it is finite and not below {@code skipBelow}, so a
     * bad or already-learned loss leaves no gradient.
     */
    private static float lossAndBackward(Map<String, NDArray> leaves, Function<Map<String, NDArray>, NDArray> loss, float skipBelow) {
        try (GradientCollector gc = Devices.engine().newGradientCollector()) {
            NDArray l = loss.apply(leaves);
            float value = l.getFloat();
            if (Float.isFinite(value) && value >= skipBelow) {
                gc.backward(l);
            }
            return value;
        }
    }
}
