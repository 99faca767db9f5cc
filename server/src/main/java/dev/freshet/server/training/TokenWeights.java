package dev.freshet.server.training;

import dev.freshet.streams.record.DocumentRecord;

/**
 * The weight of each token of a document in its training loss (CaMeLS §3): 1 everywhere is plain
 * fine-tuning; a learned weighting model puts the weight on the tokens that carry new facts.
 */
@FunctionalInterface
public interface TokenWeights {

    /** Every token weighted 1. */
    TokenWeights UNIFORM = (document, tokens) -> {
        float[] w = new float[tokens.length];
        java.util.Arrays.fill(w, 1f);
        return w;
    };

    /**
     * The weight of predicting each token of {@code tokens} (the document encoded with its start and
     * end tokens); same length; {@code [0]} is ignored since nothing predicts the first token.
     */
    float[] weights(DocumentRecord document, int[] tokens);
}
