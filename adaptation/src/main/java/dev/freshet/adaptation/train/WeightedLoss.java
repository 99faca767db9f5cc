package dev.freshet.adaptation.train;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.model.Ops;

/**
 * Token-weighted cross-entropy, {@code L = −Σ_t w_t · log p(y_t | y_<t) / N}.
 *
 * <p>N is the number of real (non-padding) target positions, not Σw: dividing by the weights' sum would
 * let a weighting model rescale its way out of the loss, and would make a token's gradient depend on the
 * other tokens' weights. With this normalisation a token of weight 0 gets exactly zero gradient, and the
 * learning rate means the same for every weighting (CaMeLS §3 divides by a fixed padded length for the
 * same reason).
 */
public final class WeightedLoss {

    private WeightedLoss() {}

    /**
     * @param logits [B, T, V]
     * @param targets [B, T] int64, −1 at padding
     * @param weights [B, T], 0 at padding
     * @param predicted N, the number of non-padding targets
     * @return scalar loss
     */
    public static NDArray of(NDArray logits, NDArray targets, NDArray weights, int predicted) {
        NDArray safeTargets = targets.maximum(0).expandDims(-1); // padding → id 0, its weight is 0 anyway
        NDArray tokenLogp = logits.logSoftmax(-1).gather(safeTargets, -1).squeeze(-1); // [B, T]
        NDArray total = tokenLogp.mul(weights).sum().neg();
        return total.mul(Ops.constant(total, 1.0 / Math.max(1, predicted))); // not div(Number): see Ops.constant
    }

    /** Per-token cross-entropy [B, T] (unweighted, 0 at padding), e.g. for CaMeLS meta-gradients. */
    public static NDArray perToken(NDArray logits, NDArray targets) {
        NDArray mask = targets.gte(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        NDArray tokenLogp = logits.logSoftmax(-1).gather(targets.maximum(0).expandDims(-1), -1).squeeze(-1);
        return tokenLogp.neg().mul(mask);
    }

    /**
     * The naive reference: the same loss in plain Java from a [B·T·V] logits array, for tests.
     */
    public static double reference(float[] logits, long[] targets, float[] weights, int vocab, int predicted) {
        double total = 0;
        for (int pos = 0; pos < targets.length; pos++) {
            if (targets[pos] < 0) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[pos * vocab + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[pos * vocab + v] - max);
            }
            double logp = logits[(int) (pos * vocab + targets[pos])] - max - Math.log(sum);
            total += -weights[pos] * logp;
        }
        return total / Math.max(1, predicted);
    }
}
