package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** SQuAD-normalised exact match and token F1, by hand-computed cases. */
class QaEvalTest {

    @Test
    void normalisationDropsCasePunctuationArticlesAndExtraSpaces() {
        assertEquals("karvel dynamics", QaEval.normalize("  The Karvel-Dynamics. "));
        assertTrue(QaEval.exactMatch("the Sarvel.", "Sarvel"));
        assertTrue(QaEval.exactMatch("An engineer", "engineer"));
        assertFalse(QaEval.exactMatch("Sarvel City", "Sarvel"), "exact match is not a prefix match");
        assertFalse(QaEval.exactMatch("theater", "ater"), "articles are removed as words only");
    }

    @Test
    void f1CountsSharedTokensWithMultiplicity() {
        assertEquals(1.0, QaEval.f1("Karvel Dynamics", "karvel dynamics"), 1e-12);
        // prediction 3 tokens, truth 2, 1 shared: p = 1/3, r = 1/2, F1 = 2·(1/6)/(5/6) = 0.4
        assertEquals(0.4, QaEval.f1("born in Sarvel", "Sarvel city"), 1e-12);
        // "x x y" vs "x y y": shared x once and y once → p = r = 2/3
        assertEquals(2.0 / 3, QaEval.f1("x x y", "x y y"), 1e-12);
        assertEquals(0.0, QaEval.f1("Melun", "Sarvel"), 1e-12);
        assertEquals(0.0, QaEval.f1("", "Sarvel"), 1e-12, "an empty answer scores 0");
        assertEquals(1.0, QaEval.f1("the", "a"), 1e-12, "both empty after normalisation: equal");
    }
}
