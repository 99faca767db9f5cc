package dev.freshet.adaptation.editing;

import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ParamSpec;
import dev.freshet.adaptation.world.Neighbor;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Short synthetic edits in the tiny models' vocabulary, and snapshots for bit-identity checks. */
final class EditFixtures {

    private static final String[] SUBJECTS = {"Tovrak Melun", "Karvel Dynamics", "the lazy dog", "the brown fox", "Sarvel", "Melun", "Tovrak", "Karvel"};
    private static final String[] TARGETS = {"Sarvel", "Karvel", "1987", "Tovrak", "engineer", "fox", "dog", "Melun"};

    private EditFixtures() {}

    /** {@code n} (≤ 8) edits with distinct prompts, ids {@code e1..en}. */
    static List<WorldEdit> edits(int n) {
        List<WorldEdit> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String s = SUBJECTS[i];
            out.add(new WorldEdit("e" + (i + 1), "Q: Where was " + s + " born?\nA:", TARGETS[i], List.of("Q: Where is " + s + " from?\nA:"),
                    List.of(new Neighbor("Q: Where does " + s + " work?\nA:", "Karvel Dynamics"))));
        }
        return out;
    }

    /**
     * A tiny random GPT-2 whose final norm gain is scaled up. Its tied embeddings are so small (std 0.02)
     * that, behind a unit-gain final norm, no logit can move by more than about ±0.6: no adapter could
     * fit a single token. A gain of 30 gives the head a usable range; everything else is untouched.
     */
    static LanguageModel sharpGpt2(long seed) {
        LanguageModel m = dev.freshet.adaptation.model.TinyModels.gpt2(seed);
        m.weights().get("ln_f.weight").muli(30f);
        return m;
    }

    /** Every base weight's values, by name. */
    static Map<String, float[]> baseWeights(LanguageModel m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (ParamSpec p : m.architecture().parameters()) {
            out.put(p.name(), m.weights().get(p.name()).toFloatArray());
        }
        return out;
    }

    static Map<String, float[]> values(Map<String, NDArray> tensors) {
        Map<String, float[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }
}
