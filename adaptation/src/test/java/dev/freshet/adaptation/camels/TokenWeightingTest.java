package dev.freshet.adaptation.camels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.LanguageModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rule-based baselines and the factory. */
class TokenWeightingTest {

    static final String TEXT = "The council met on Tuesday. Officials said Tovrak Melun joined Karvel Dynamics in 1987 as the chief engineer.";
    static LanguageModel model;

    @BeforeAll
    static void open() {
        model = CamelsFixtures.model(1);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The weight of each token whose text (trimmed) equals {@code word}. */
    static List<Float> weightsOf(DocumentTokens doc, float[] w, String word) {
        List<Float> out = new ArrayList<>();
        for (int i = 0; i < doc.length(); i++) {
            if (doc.text().substring(doc.charStart()[i], doc.charEnd()[i]).trim().equals(word)) {
                out.add(w[i]);
            }
        }
        return out;
    }

    /** The weights of the tokens covering chars [from, to) of the text. */
    static List<Float> weightsOver(DocumentTokens doc, float[] w, String span) {
        int from = doc.text().indexOf(span);
        int to = from + span.length();
        List<Float> out = new ArrayList<>();
        for (int i = 0; i < doc.length(); i++) {
            if (doc.charStart()[i] < to && from < doc.charEnd()[i] && doc.charStart()[i] < doc.charEnd()[i]) {
                out.add(w[i]);
            }
        }
        return out;
    }

    @Test
    void salientSpansWeightNamesAndYearsAndNotFunctionWords() {
        SalientSpans tagger = new SalientSpans(Set.of());
        DocumentTokens doc = DocumentTokens.of(model, TEXT);
        float[] w = tagger.weights(doc);
        System.out.println("spans: " + tagger.spans(TEXT).stream().map(s -> TEXT.substring(s.start(), s.end()) + "/" + s.kind()).toList());
        assertTrue(weightsOver(doc, w, "Tovrak Melun").stream().allMatch(x -> x == 1f), "name tokens: " + weightsOver(doc, w, "Tovrak Melun"));
        assertTrue(weightsOver(doc, w, "Karvel Dynamics").stream().allMatch(x -> x == 1f));
        assertTrue(weightsOver(doc, w, "1987").stream().allMatch(x -> x == 1f), "year tokens");
        assertEquals(List.of(0f), weightsOf(doc, w, "the"), "a function word");
        assertTrue(weightsOver(doc, w, "The council").stream().allMatch(x -> x == 0f), "a sentence-start capital is not a name");
        assertTrue(weightsOver(doc, w, "Officials").stream().allMatch(x -> x == 0f), "a lone capital at a sentence start");
        assertTrue(weightsOver(doc, w, "Tuesday").stream().allMatch(x -> x == 0f), "weekdays are not entities");
        assertEquals(0f, w[0], "the start token covers no text");
    }

    @Test
    void knownNamesAreTaggedEvenAloneAtASentenceStart() {
        String text = "Sarvel grew. Nobody moved.";
        DocumentTokens doc = DocumentTokens.of(model, text);
        assertTrue(weightsOver(doc, new SalientSpans(Set.of()).weights(doc), "Sarvel").stream().allMatch(x -> x == 0f));
        assertTrue(weightsOver(doc, new SalientSpans(Set.of("Sarvel")).weights(doc), "Sarvel").stream().allMatch(x -> x == 1f));
    }

    @Test
    void tfidfRanksARareNameAboveTheArticle() {
        List<String> corpus = new ArrayList<>();
        CamelsFixtures.WORLD.documents().forEach(d -> corpus.add(d.text()));
        TfIdfWeighting tfidf = new TfIdfWeighting(corpus, TfIdfWeighting.DEFAULT_QUANTILE);
        DocumentTokens doc = DocumentTokens.of(model, TEXT);
        float[] w = tfidf.weights(doc);
        float name = weightsOver(doc, w, "Tovrak").stream().reduce(Float::max).orElseThrow();
        float the = weightsOf(doc, w, "the").get(0);
        System.out.printf("tf-idf: idf(Tovrak) %.3f, idf(the) %.3f; weights: Tovrak %.3f, the %.3f%n", tfidf.idf("Tovrak"), tfidf.idf("the"), name, the);
        assertTrue(name > the, "rare name " + name + " must outrank 'the' " + the);
        assertTrue(name > 0, "the name is kept above the quantile");
        double mean = 0;
        int kept = 0;
        for (float x : w) {
            if (x > 0) {
                mean += x;
                kept++;
            }
        }
        assertTrue(kept > 0 && kept < w.length, "some but not all tokens are kept: " + kept + "/" + w.length);
    }

    @Test
    void factoryBuildsEachWeightingByName() {
        TokenWeightings.Resources r = new TokenWeightings.Resources(List.of("a b c"), Set.of(), null);
        assertEquals("uniform", TokenWeightings.create("uniform", r).name());
        assertInstanceOf(SalientSpans.class, TokenWeightings.create("salient-spans", r));
        assertInstanceOf(TfIdfWeighting.class, TokenWeightings.create("tfidf", r));
        assertFalse(TokenWeightings.create("none", r).updates());
        assertThrows(IllegalArgumentException.class, () -> TokenWeightings.create("camels", r), "camels needs a model");
        assertThrows(IllegalArgumentException.class, () -> TokenWeightings.create("tfidf", TokenWeightings.Resources.none()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenWeightings.create("rho-1", r));
        assertTrue(e.getMessage().contains("salient-spans"), e.getMessage());
        DocumentTokens doc = DocumentTokens.of(model, TEXT);
        float[] u = TokenWeighting.UNIFORM.weights(doc);
        assertEquals(doc.length(), u.length);
        for (float x : u) {
            assertEquals(1f, x);
        }
    }
}
