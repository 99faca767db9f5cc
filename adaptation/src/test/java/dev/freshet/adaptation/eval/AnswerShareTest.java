package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.camels.DocumentTokens;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.WorldDocument;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The answer-weight share: which tokens count as answer tokens, and how the weights are summed. */
class AnswerShareTest {

    // "Ana works at Bolt Labs." as 6 word tokens after a start token: Ana| works| at| Bolt| Labs|.
    private static final String TEXT = "Ana works at Bolt Labs.";
    private static final DocumentTokens DOC = new DocumentTokens(TEXT, new int[] {0, 1, 2, 3, 4, 5, 6},
            new int[] {0, 0, 3, 9, 12, 17, 22}, new int[] {0, 3, 9, 12, 17, 22, 23}, 0, false);

    @Test
    void answerCharactersAreEveryOccurrenceOfEveryAnswer() {
        boolean[] mask = AnswerShare.answerChars("ab ab c", List.of("ab", "c", ""));
        assertArrayEquals(new boolean[] {true, true, false, true, true, false, true}, mask);
    }

    @Test
    void uniformWeightsGiveTheShareOfAnswerTokens() {
        double share = AnswerShare.of(List.of(DOC), List.of(new float[] {9, 1, 1, 1, 1, 1, 1}), List.of("Bolt Labs"));
        assertEquals(2.0 / 6.0, share, 1e-12, "Bolt and Labs of six predicted tokens; the start token's weight is ignored");
    }

    @Test
    void weightOnlyOnTheAnswerGivesOneAndWeightElsewhereGivesZero() {
        assertEquals(1.0, AnswerShare.of(List.of(DOC), List.of(new float[] {0, 0, 0, 0, 2, 3, 0}), List.of("Bolt Labs")), 1e-12);
        assertEquals(0.0, AnswerShare.of(List.of(DOC), List.of(new float[] {0, 5, 1, 1, 0, 0, 1}), List.of("Bolt Labs")), 1e-12);
        assertEquals(0.25, AnswerShare.of(List.of(DOC), List.of(new float[] {0, 1, 0, 0, 0, 1, 2}), List.of("Labs", "Ana Smith")), 1e-12,
                "a token partly inside an answer counts; an answer absent from the text adds nothing");
    }

    @Test
    void theOracleWeighsExactlyTheAnswerTokensOfDocumentsItWasGiven() {
        WorldDocument doc = new WorldDocument("d1", TEXT, "wire", 0L, List.of(new QaPair("Where does Ana work?", "Bolt Labs")));
        AnswerOracle oracle = new AnswerOracle(List.of(doc));
        float[] w = oracle.weights(DOC);
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1, 0}, w);
        assertEquals(1.0, AnswerShare.of(List.of(DOC), List.of(w), List.of("Bolt Labs")), 1e-12);
        DocumentTokens other = new DocumentTokens("Bolt Labs", new int[] {0, 4}, new int[] {0, 0}, new int[] {0, 9}, 0, false);
        assertArrayEquals(new float[] {0, 0}, oracle.weights(other), "a text it was not given: no answers known, no weight");
    }

    @Test
    void zeroWeightsHaveNoShareAndWindowsAreSummedTogether() {
        assertTrue(Double.isNaN(AnswerShare.of(List.of(DOC), List.of(new float[7]), List.of("Bolt Labs"))));
        double two = AnswerShare.of(List.of(DOC, DOC), List.of(new float[] {0, 1, 1, 1, 1, 1, 1}, new float[] {0, 0, 0, 0, 1, 1, 0}),
                List.of("Bolt Labs"));
        assertEquals(4.0 / 8.0, two, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> AnswerShare.of(List.of(DOC), List.of(), List.of("x")));
    }
}
