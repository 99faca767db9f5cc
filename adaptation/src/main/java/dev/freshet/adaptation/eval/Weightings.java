package dev.freshet.adaptation.eval;

import com.google.gson.JsonObject;
import dev.freshet.adaptation.camels.BundledWeighting;
import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.camels.TokenWeightings;
import dev.freshet.adaptation.camels.WeightingModel;
import dev.freshet.adaptation.model.LanguageModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The token weightings an evaluation compares, built by name: the {@code tfidf} reference corpus is the data's
 * old-world texts, {@code salient-spans} uses its rule-based tagger alone, and {@code camels} reads the weighting
 * model of a folder when one is named, else the {@link BundledWeighting} when the base model is the bundled one,
 * else falls back to an untrained one whose row label ({@code camels (untrained)}) and note say so, so a table never
 * passes it off as a CaMeLS result. Closes the weighting model it loaded.
 */
public final class Weightings implements AutoCloseable {

    /** The evaluation-only weighting that reads the questions ({@link AnswerOracle}); not in {@link TokenWeighting#NAMES}. */
    public static final String ORACLE = "oracle";

    private final Map<String, TokenWeighting> byName = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private WeightingModel loaded;

    private Weightings() {}

    /**
     * True when {@code camels} would be a meta-trained weighting model: a folder is named, or the bundled one fits
     * {@code model}.
     */
    public static boolean hasMetaTrained(Path weightingModel, LanguageModel model) throws IOException {
        return weightingModel != null || BundledWeighting.fits(model);
    }

    /**
     * @param names weighting names ({@link TokenWeighting#NAMES})
     * @param weightingModel the folder of a meta-trained weighting model; null: the bundled one when it was trained
     *     against {@code model}, else the untrained fallback
     * @throws IOException when a named weighting model cannot be read
     */
    public static Weightings open(List<String> names, Path weightingModel, LanguageModel model, EvalData data) throws IOException {
        Weightings w = new Weightings();
        try {
            if (names.contains("camels")) {
                if (weightingModel != null) {
                    w.loaded = TokenWeightings.camelsModel(model, weightingModel);
                    w.notes.add("camels: meta-trained weighting model from " + weightingModel);
                } else if (BundledWeighting.fits(model)) {
                    w.loaded = TokenWeightings.camelsModel(model, null);
                    JsonObject p = BundledWeighting.provenance();
                    JsonObject v = p.getAsJsonObject("validation");
                    w.notes.add("camels: the bundled meta-trained weighting model (meta-train seed " + p.get("seed").getAsString() + ", step "
                            + p.get("best_step").getAsString() + " of " + p.get("steps").getAsString() + "; validation outer loss "
                            + v.get("camels").getAsString() + " vs uniform " + v.get("uniform").getAsString() + ")");
                } else {
                    // Keep the row, so the table's shape does not depend on the model, but say plainly what it is.
                    w.loaded = WeightingModel.fromBase(model, 2, 1234L);
                    w.labels.put("camels", "camels (untrained)");
                    w.notes.add("camels (untrained): no --weighting DIR given and the bundled weighting model was meta-trained for another base model;"
                            + " an untrained one weights every token ln2/3, which under Adam is nearly uniform: NOT a CaMeLS result");
                }
            }
            TokenWeightings.Resources r = new TokenWeightings.Resources(data.oldWorldTexts(), Set.of(), w.loaded);
            for (String n : names) {
                w.byName.put(n, n.equals(ORACLE) ? new AnswerOracle(data.documents()) : TokenWeightings.create(n, r));
            }
            if (names.contains(ORACLE)) {
                w.labels.put(ORACLE, "oracle (answers)");
                w.notes.add("oracle (answers): weight 1 on the tokens of the answers the document's questions ask for, else 0;"
                        + " it reads the questions: an upper bound for any weighting, not a method");
            }
            if (names.contains("tfidf") || names.contains("salient-spans")) {
                w.notes.add("tfidf: document frequencies over the old-world pretraining texts; salient-spans: its rule-based tagger, no name list");
            }
            return w;
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** The weighting called {@code name} (one of those opened). */
    public TokenWeighting get(String name) {
        return byName.get(name);
    }

    /** The row label of {@code name}: the name, or {@code camels (untrained)}. */
    public String label(String name) {
        return labels.getOrDefault(name, name);
    }

    /** What a reader of the table must know about these weightings. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    @Override
    public void close() {
        if (loaded != null) {
            loaded.close();
        }
    }
}
