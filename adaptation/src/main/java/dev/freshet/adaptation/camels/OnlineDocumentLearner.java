package dev.freshet.adaptation.camels;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.train.GradientStep;
import dev.freshet.adaptation.train.Optimizer;
import dev.freshet.adaptation.train.StepResult;
import dev.freshet.adaptation.train.TokenBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * Online learning from a document stream with token weights (CaMeLS test time, Hu et al., arXiv 2305.15076 §3):
 * for each document, once and in stream order, weights from a {@link TokenWeighting} (no gradient), then one
 * optimizer step on the token-weighted loss {@code −Σ_t w_t log p(x_t | x_<t) / N} of the tenant's adapter.
 *
 * <p>The reference takes one Adam step per document at batch 1 with gradient clipping and keeps the optimizer state
 * across the stream; pass such an optimizer (its learning rate is the dominant knob). For {@code camels},
 * {@link TokenWeightings#camelsModel} gives the bundled meta-trained weighting model when the base is the bundled
 * default model. A document longer than the
 * base model's context (or the weighting model's) is read in {@link DocumentTokens#windows windows}, all in the
 * same step. A document whose weights are all zero, and every
 * document under {@code none}, makes no step at all: an Adam step on a zero gradient would still move the adapter
 * by its momentum. The loss is {@link CamelsLosses#camelsWeightedLoss(NDArray, NDArray, NDArray, int)} through
 * {@link Gpt2Forward} for GPT-2 family bases (see there why not the core's forward). One training thread per process (DJL's gradient collection is process-global).
 */
public final class OnlineDocumentLearner {

    private final LanguageModel base;
    private final Adapter adapter;
    private final TokenWeighting weighting;
    private final GradientStep step;
    private final Gpt2Forward forward; // null: not GPT-2, use the core's forward

    /**
     * @param optimizer updates the adapter's tensors; state kept across documents
     * @param clipNorm global gradient-norm clip ({@code <= 0}: none; the reference uses 750)
     */
    public OnlineDocumentLearner(LanguageModel base, Adapter adapter, Optimizer optimizer, TokenWeighting weighting, float clipNorm) {
        this.base = base;
        this.adapter = adapter;
        this.weighting = weighting;
        this.step = new GradientStep(adapter.tensors(), optimizer, clipNorm);
        this.forward = Gpt2Forward.forBase(base);
    }

    public TokenWeighting weighting() {
        return weighting;
    }

    /**
     * The document as this learner feeds it to the models: every token, in windows that fit both the base model's
     * context and the weighting's.
     */
    public List<DocumentTokens> windows(String text) {
        return DocumentTokens.full(base, text).windows(Math.min(base.config().maxPositions(), weighting.maxTokens()));
    }

    /** A document's windows and the weights of their tokens: what one step learns from. */
    public record Weighted(List<DocumentTokens> windows, List<float[]> weights) {}

    /** Weights the document's tokens and takes one step on the adapter; the result says whether it was applied. */
    public StepResult learn(String text) {
        return learn(weigh(text));
    }

    /** The document's windows and this learner's weights for them (all zero under {@code none}); no step. */
    public Weighted weigh(String text) {
        List<DocumentTokens> windows = windows(text);
        List<float[]> weights = new ArrayList<>();
        for (DocumentTokens w : windows) {
            weights.add(weighting.weights(w));
        }
        return new Weighted(windows, weights);
    }

    /** One step on a document weighed by {@link #weigh}; none at all when the weighting makes no update. */
    public StepResult learn(Weighted doc) {
        if (!weighting.updates()) {
            return new StepResult(false, Float.NaN, 0f, "token weighting '" + weighting.name() + "' makes no update", false);
        }
        return learn(doc.windows(), doc.weights());
    }

    /** One step on a single window with explicit weights (one per token; entry 0 ignored). */
    public StepResult learn(DocumentTokens window, float[] weights) {
        return learn(List.of(window), List.of(weights));
    }

    /**
     * One step on all windows of a document together, with explicit weights: the loss is the weighted sum over every
     * predicted token of the document divided by their number, as if the document fit in one window.
     *
     * @throws IllegalArgumentException when weights do not match the tokens or are negative or not finite
     */
    public StepResult learn(List<DocumentTokens> windows, List<float[]> weights) {
        if (windows.size() != weights.size()) {
            throw new IllegalArgumentException("got weights for " + weights.size() + " of " + windows.size() + " windows");
        }
        boolean any = false;
        List<TokenBatch.Sequence> seqs = new ArrayList<>();
        for (int k = 0; k < windows.size(); k++) {
            DocumentTokens doc = windows.get(k);
            float[] w = weights.get(k);
            if (w.length != doc.length()) {
                throw new IllegalArgumentException("got " + w.length + " weights for " + doc.length() + " tokens");
            }
            for (int i = 1; i < w.length; i++) {
                if (!(w[i] >= 0) || !Float.isFinite(w[i])) {
                    throw new IllegalArgumentException("token weight " + i + " is " + w[i] + "; weights must be finite and non-negative");
                }
                any |= w[i] > 0;
            }
            if (doc.length() >= 2) {
                seqs.add(new TokenBatch.Sequence(doc.ids(), w));
            }
        }
        if (!any || seqs.isEmpty()) {
            return new StepResult(false, 0f, 0f, "every token weight is zero: nothing to learn", false);
        }
        TokenBatch batch = TokenBatch.of(seqs);
        return step.step(leaves -> camelsWeightedLoss(batch, leaves));
    }

    /** {@code −Σ_t w_t log p_θ+adapter(x_t | x_<t) / N} on the adapter computed from {@code leaves}. */
    private NDArray camelsWeightedLoss(TokenBatch batch, java.util.Map<String, NDArray> leaves) {
        NDArray ids = batch.inputsArray(base.manager());
        NDArray logits = forward != null ? forward.logits(base.weights(), adapter.over(leaves), ids) : base.logits(base.weights(), adapter.over(leaves), ids); // [1, T, V]
        return CamelsLosses.camelsWeightedLoss(logits, batch.targetsArray(base.manager()), batch.weightsArray(base.manager()), batch.predicted());
    }
}
