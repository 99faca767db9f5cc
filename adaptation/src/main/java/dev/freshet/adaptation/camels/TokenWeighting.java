package dev.freshet.adaptation.camels;

import java.util.Arrays;
import java.util.List;

/**
 * How much each token of a document counts when the model learns from it online: weight {@code w_t} scales the
 * cross-entropy of predicting token {@code t} (CaMeLS, Hu et al., arXiv 2305.15076 §3; the loss is
 * {@link dev.freshet.adaptation.train.WeightedLoss}).
 *
 * <p>Implementations, by the name {@link TokenWeightings#create} takes:
 * <ul>
 *   <li>{@code uniform}: every token 1, plain online fine-tuning (the paper's "Uniform" baseline);
 *   <li>{@code salient-spans}: 1 on the tokens of names and numbers a rule-based tagger finds, else 0
 *       ({@link SalientSpans}; the paper's "Salient spans" baseline);
 *   <li>{@code tfidf}: the tf-idf of the word covering the token, kept above a per-document quantile
 *       ({@link TfIdfWeighting}; the paper's "TF-IDF" baseline);
 *   <li>{@code camels}: the meta-learned {@link WeightingModel};
 *   <li>{@code none}: no update at all, the no-learning reference point of an evaluation.
 * </ul>
 * Implementations are stateless per document and safe to call from the training thread only (the CaMeLS one
 * runs a forward pass).
 */
public interface TokenWeighting {

    /** Every name {@link TokenWeightings#create} accepts, in the order evaluations report them. */
    List<String> NAMES = List.of("none", "uniform", "salient-spans", "tfidf", "camels");

    /** The name this weighting is selected by. */
    String name();

    /**
     * One weight per token of {@code doc}, non-negative; entry 0 (the start token, which nothing predicts) is
     * ignored by the loss.
     */
    float[] weights(DocumentTokens doc);

    /** The longest document, in tokens with the start token, this weighting can read (a model's context). */
    default int maxTokens() {
        return Integer.MAX_VALUE;
    }

    /** False for {@code none}: the learner then makes no optimizer step at all (not even one of zero gradient). */
    default boolean updates() {
        return true;
    }

    /** Every token weighted 1. */
    TokenWeighting UNIFORM = new TokenWeighting() {
        @Override
        public String name() {
            return "uniform";
        }

        @Override
        public float[] weights(DocumentTokens doc) {
            float[] w = new float[doc.length()];
            Arrays.fill(w, 1f);
            return w;
        }
    };

    /** No learning: all weights 0 and {@link #updates()} false. */
    TokenWeighting NONE = new TokenWeighting() {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public float[] weights(DocumentTokens doc) {
            return new float[doc.length()];
        }

        @Override
        public boolean updates() {
            return false;
        }
    };
}
