package dev.freshet.server.training;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.train.TokenBatch;
import dev.freshet.streams.record.DocumentRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Learns documents by next-token prediction on their text, each token's loss scaled by a
 * {@link TokenWeights}. With {@link TokenWeights#UNIFORM} this is plain fine-tuning, the baseline
 * that CaMeLS improves on by learning the weights.
 *
 * <p>A document is encoded as start token + text + end-of-text token. One longer than the model's
 * context is cut into windows that overlap by one token, so every token is predicted exactly once.
 * Each epoch takes steps of at most {@code sequencesPerStep} windows over all documents.
 */
public final class WeightedDocumentLearner implements DocumentLearner {

    private final String method;
    private final TokenWeights weights;
    private final int epochs;
    private final int sequencesPerStep;

    /**
     * @param method the name recorded in manifests
     * @param epochs passes over the documents
     */
    public WeightedDocumentLearner(String method, TokenWeights weights, int epochs, int sequencesPerStep) {
        this.method = Objects.requireNonNull(method, "method");
        this.weights = Objects.requireNonNull(weights, "weights");
        if (epochs < 1 || sequencesPerStep < 1) {
            throw new IllegalArgumentException("epochs and sequencesPerStep must be >= 1, got " + epochs + " and " + sequencesPerStep);
        }
        this.epochs = epochs;
        this.sequencesPerStep = sequencesPerStep;
    }

    /** Uniform weights, as configured: method {@code uniform}. */
    public static WeightedDocumentLearner uniform(TrainingSettings settings) {
        return new WeightedDocumentLearner("uniform", TokenWeights.UNIFORM, settings.documentEpochs(), settings.sequencesPerStep());
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public LearnResult learn(TenantAdapter adapter, List<DocumentRecord> documents) {
        List<FaultIsolation.Unit> units = new ArrayList<>();
        for (DocumentRecord d : documents) {
            int[] tokens = encode(adapter.base(), d.text());
            float[] w = weights.weights(d, tokens);
            if (w.length != tokens.length) {
                throw new IllegalStateException(method + " weights for document " + d.id() + ": " + w.length + " weights for " + tokens.length + " tokens");
            }
            units.add(new FaultIsolation.Unit(d.id(), windows(tokens, w, adapter.maxSequenceTokens())));
        }
        Map<String, String> refused = FaultIsolation.newRefusals();
        for (int e = 0; e < epochs; e++) {
            FaultIsolation.trainOnce(adapter, units, sequencesPerStep, adapter.documentLearningRate(), refused);
        }
        return LearnResult.nonFinite(refused);
    }

    private static int[] encode(LanguageModel base, String text) {
        int[] ids = base.encodeWithStart(text);
        int eos = base.config().eosTokenId();
        if (eos < 0) {
            return ids;
        }
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = eos;
        return out;
    }

    /** Windows of at most {@code max} tokens, each starting on the previous one's last token. */
    static List<TokenBatch.Sequence> windows(int[] tokens, float[] w, int max) {
        List<TokenBatch.Sequence> out = new ArrayList<>();
        for (int from = 0; from < tokens.length - 1; from += max - 1) {
            int to = Math.min(tokens.length, from + max);
            out.add(new TokenBatch.Sequence(Arrays.copyOfRange(tokens, from, to), Arrays.copyOfRange(w, from, to)));
        }
        return out;
    }
}
