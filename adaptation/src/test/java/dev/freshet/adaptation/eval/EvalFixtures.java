package dev.freshet.adaptation.eval;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ParamSpec;
import dev.freshet.adaptation.model.TinyModels;
import dev.freshet.adaptation.world.Neighbor;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny evaluation world in the tiny models' vocabulary: a few documents with questions, edits, old-world probes. */
final class EvalFixtures {

    private static final String[] NAMES = {"Tovrak Melun", "Karvel Dynamics", "Sarvel", "Melun", "Tovrak", "Karvel"};
    private static final String[] ANSWERS = {"Sarvel", "Karvel", "1987", "Tovrak", "engineer", "Melun"};

    private EvalFixtures() {}

    /** {@code docs} documents (≤ 6), each stating one fact and asking it back; {@code edits} edits (≤ 6). */
    static EvalData data(int docs, int edits) {
        List<WorldDocument> d = new ArrayList<>();
        for (int i = 0; i < docs; i++) {
            String text = NAMES[i] + " was born in " + ANSWERS[i] + ". The quick brown fox jumps over the lazy dog.";
            d.add(new WorldDocument("doc-" + i, text, "test", i, List.of(new QaPair("Where was " + NAMES[i] + " born?", ANSWERS[i]))));
        }
        List<WorldEdit> e = new ArrayList<>();
        for (int i = 0; i < edits; i++) {
            String s = NAMES[i];
            e.add(new WorldEdit("e" + (i + 1), "Q: Where does " + s + " work?\nA:", ANSWERS[(i + 1) % ANSWERS.length],
                    List.of("Q: Where is " + s + " from?\nA:"), List.of(new Neighbor("Q: Where was " + s + " born?\nA:", "Sarvel"))));
        }
        List<QaPair> old = List.of(new QaPair("Where was Tovrak Melun born?", "Sarvel"), new QaPair("When was Karvel Dynamics founded?", "1987"));
        List<QaPair> heldOut = List.of(new QaPair("Where was Tovrak Melun born?", "Sarvel"), new QaPair("Who founded Karvel Dynamics?", "Tovrak Melun"),
                new QaPair("Where is Karvel Dynamics based?", "Losax"));
        return new EvalData("fixture", d, e, old, TinyModels.CORPUS, heldOut);
    }

    /**
     * A tiny random GPT-2 whose final norm gain is scaled up, so its greedy answers vary from prompt to prompt and an
     * adapter can move them (behind a unit gain, the small tied embeddings keep every logit within about ±0.6).
     */
    static LanguageModel sharpGpt2(long seed) {
        LanguageModel m = TinyModels.gpt2(seed);
        m.weights().get("ln_f.weight").muli(30f);
        return m;
    }

    /** Every base weight's values, by name: to check that evaluation never touches them. */
    static Map<String, float[]> baseWeights(LanguageModel m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (ParamSpec p : m.architecture().parameters()) {
            out.put(p.name(), m.weights().get(p.name()).toFloatArray());
        }
        return out;
    }
}
