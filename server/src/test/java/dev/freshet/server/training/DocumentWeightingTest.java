package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.freshet.adaptation.camels.DocumentTokens;
import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.streams.record.DocumentRecord;
import org.junit.jupiter.api.Test;

class DocumentWeightingTest {

    /** Weight i for token i, reading at most 5 tokens. */
    private static final TokenWeighting POSITIONAL = new TokenWeighting() {
        @Override
        public String name() {
            return "positional";
        }

        @Override
        public float[] weights(DocumentTokens doc) {
            float[] w = new float[doc.ids().length];
            for (int i = 0; i < w.length; i++) {
                w[i] = i;
            }
            return w;
        }

        @Override
        public int maxTokens() {
            return 5;
        }
    };

    @Test
    void weightsLineUpWithTheTrainersTokensAndTokensPastTheWeightingsReachGetTheMean() {
        LanguageModel model = TestModels.tiny(3);
        DocumentRecord doc = new DocumentRecord("d", "Kreslux Systems was established in 2016 by Tovrak Melun.");
        int[] ids = model.encodeWithStart(doc.text());
        int[] tokens = java.util.Arrays.copyOf(ids, ids.length + 1); // + the end token, as the document learner encodes
        tokens[ids.length] = Math.max(0, model.config().eosTokenId());
        float[] w = new DocumentWeighting(model, POSITIONAL).weights(doc, tokens);
        assertEquals(tokens.length, w.length);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, java.util.Arrays.copyOf(w, 5), "the weighting's own weights, token for token");
        for (int i = 5; i < w.length; i++) {
            assertEquals(2.5f, w[i], 1e-6, "beyond its reach: the mean of weights 1..4");
        }
    }
}
