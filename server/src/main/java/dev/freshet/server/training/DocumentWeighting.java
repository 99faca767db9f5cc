package dev.freshet.server.training;

import dev.freshet.adaptation.camels.DocumentTokens;
import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.streams.record.DocumentRecord;
import java.util.Arrays;
import java.util.Objects;

/**
 * A token weighting of the methods module ({@code uniform}, {@code salient-spans}, {@code tfidf},
 * {@code camels}: CaMeLS §3) as the trainer's {@link TokenWeights}. The weighting reads the document as
 * {@link DocumentTokens} (start token, text, at most its own context length); the trainer's tokens are the
 * same ids plus the end token. Tokens past the weighting's reach (a document longer than its context, and
 * the end token) get the mean of the weights it gave, so a long document is neither silenced nor boosted
 * past where the weighting model can see.
 */
public final class DocumentWeighting implements TokenWeights {

    private final LanguageModel base;
    private final TokenWeighting weighting;

    public DocumentWeighting(LanguageModel base, TokenWeighting weighting) {
        this.base = Objects.requireNonNull(base, "base");
        this.weighting = Objects.requireNonNull(weighting, "weighting");
    }

    /** The weighting's name, which is the document learner's method. */
    public String name() {
        return weighting.name();
    }

    @Override
    public float[] weights(DocumentRecord document, int[] tokens) {
        DocumentTokens doc = DocumentTokens.of(base, document.text(), weighting.maxTokens());
        int n = doc.ids().length;
        if (n > tokens.length || !Arrays.equals(doc.ids(), Arrays.copyOf(tokens, n))) {
            throw new IllegalStateException("weighting '" + weighting.name() + "' tokenised document " + document.id() + " differently from the trainer");
        }
        float[] w = weighting.weights(doc);
        double mean = 0;
        for (int i = 1; i < w.length; i++) {
            mean += w[i];
        }
        mean = w.length > 1 ? mean / (w.length - 1) : 1;
        float[] out = new float[tokens.length];
        Arrays.fill(out, (float) mean);
        System.arraycopy(w, 0, out, 0, Math.min(w.length, out.length));
        return out;
    }
}
