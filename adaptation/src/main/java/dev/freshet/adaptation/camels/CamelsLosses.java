package dev.freshet.adaptation.camels;

import dev.freshet.adaptation.model.Ops;
import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.train.WeightedLoss;

/**
 * The three losses of CaMeLS meta-training (Hu et al., arXiv 2305.15076 §3), as functions of logits.
 *
 * <p>Shapes: D documents, Q questions, K unrelated texts, T positions, V vocab. Targets are int64 with −1 at
 * padding; every result is a scalar in the logits' dtype. Normalisers are tensor constants, never
 * {@code div(Number)}, which DJL 0.35.1 makes unsafe to backpropagate through (see {@link Gpt2Forward}).
 */
public final class CamelsLosses {

    private CamelsLosses() {}

    /**
     * The inner (document) loss {@code Σ_d s_d Σ_t w_dt · CE_dt}. With {@code s_d = 1/N_d} (N_d the document's
     * predicted tokens) each document contributes exactly the loss online learning takes a step on
     * ({@link WeightedLoss#of} for that document alone), so one SGD step on the sum moves θ as a step per document
     * from the same θ would.
     *
     * @param logits [D, T, V]
     * @param targets [D, T]
     * @param weights [D, T], 0 at padding
     * @param docScale [D, 1]
     */
    public static NDArray camelsWeightedLoss(NDArray logits, NDArray targets, NDArray weights, NDArray docScale) {
        return WeightedLoss.perToken(logits, targets).mul(weights).mul(docScale).sum();
    }

    /**
     * The online-learning loss of one batch, {@code −Σ_t w_t log p(y_t | y_<t) / N}: the same value as
     * {@link WeightedLoss#of}, with N applied as a tensor constant.
     *
     * @param logits [B, T, V]
     * @param targets [B, T], −1 at padding
     * @param weights [B, T], 0 at padding
     * @param predicted N, the number of non-padding targets
     */
    public static NDArray camelsWeightedLoss(NDArray logits, NDArray targets, NDArray weights, int predicted) {
        NDArray total = WeightedLoss.perToken(logits, targets).mul(weights).sum();
        return total.mul(Ops.constant(total, 1.0 / Math.max(1, predicted)));
    }

    /**
     * Mean negative log-likelihood of the answer tokens given their questions: the outer objective.
     *
     * @param logits [Q, T, V]
     * @param targets [Q, T]
     * @param answerMask [Q, T], 1 where the target is a token of {@link dev.freshet.adaptation.world.QaFormat#target}
     * @param answerTokens Σ answerMask
     */
    public static NDArray answerNll(NDArray logits, NDArray targets, NDArray answerMask, int answerTokens) {
        NDArray total = WeightedLoss.perToken(logits, targets).mul(answerMask).sum();
        return total.mul(Ops.constant(total, 1.0 / Math.max(1, answerTokens)));
    }

    /**
     * The locality term {@code KL(p_θ ‖ p_θ')} per token on unrelated text: how far the update moved the model's
     * predictions where it should not have. p_θ is a constant (θ is not trained by the outer loop).
     *
     * @param adaptedLogits [K, T, V] under θ'
     * @param baseLogp [K, T, V] log-probabilities under θ (no gradient)
     * @param mask [K, T], 1 at real positions
     * @param tokens Σ mask
     */
    public static NDArray localityKl(NDArray adaptedLogits, NDArray baseLogp, NDArray mask, int tokens) {
        NDArray perPosition = baseLogp.exp().mul(baseLogp.sub(adaptedLogits.logSoftmax(-1))).sum(new int[] {-1}); // [K, T]
        NDArray total = perPosition.mul(mask).sum();
        return total.mul(Ops.constant(total, 1.0 / Math.max(1, tokens)));
    }
}
