package dev.freshet.adaptation.camels;

import dev.freshet.adaptation.model.LanguageModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Builds a {@link TokenWeighting} from its name and what that weighting needs. */
public final class TokenWeightings {

    private TokenWeightings() {}

    /**
     * What the weightings may need; each field may be empty or null when the chosen weighting does not use it.
     *
     * @param referenceCorpus texts the document frequencies of {@code tfidf} are counted over
     * @param knownNames names {@code salient-spans} tags even at a sentence start (may be empty)
     * @param model the meta-trained weighting model for {@code camels}
     */
    public record Resources(List<String> referenceCorpus, Set<String> knownNames, WeightingModel model) {
        public Resources {
            referenceCorpus = referenceCorpus == null ? List.of() : List.copyOf(referenceCorpus);
            knownNames = knownNames == null ? Set.of() : Set.copyOf(knownNames);
        }

        /** Nothing: enough for {@code none}, {@code uniform} and {@code salient-spans}. */
        public static Resources none() {
            return new Resources(List.of(), Set.of(), null);
        }
    }

    /**
     * The meta-trained weighting model the {@code camels} weighting of an online learner uses for {@code base}: the one
     * in {@code dir} when given (a {@code bin/freshet meta-train} output such as {@code DIR/best}), else the
     * {@link BundledWeighting} when it was meta-trained against {@code base}. The caller closes it.
     *
     * @throws IOException when {@code dir} cannot be read, or when no dir is given and none is bundled for {@code base}
     */
    public static WeightingModel camelsModel(LanguageModel base, Path dir) throws IOException {
        if (dir != null) {
            return WeightingModel.load(dir, base.tokenizer(), base.manager().getDevice());
        }
        return BundledWeighting.openFor(base).orElseThrow(() -> new IOException("no CaMeLS weighting model for base model " + base.id()
                + ": the bundled one was meta-trained for the bundled default model; run bin/freshet meta-train and pass its DIR/best"));
    }

    /**
     * The weighting called {@code name} (one of {@link TokenWeighting#NAMES}).
     *
     * @throws IllegalArgumentException for an unknown name, or when a resource the weighting needs is missing
     */
    public static TokenWeighting create(String name, Resources r) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none" -> TokenWeighting.NONE;
            case "uniform" -> TokenWeighting.UNIFORM;
            case "salient-spans" -> new SalientSpans(r.knownNames());
            case "tfidf" -> {
                if (r.referenceCorpus().isEmpty()) {
                    throw new IllegalArgumentException("token weighting 'tfidf' needs a reference corpus to count document frequencies over");
                }
                yield new TfIdfWeighting(r.referenceCorpus(), TfIdfWeighting.DEFAULT_QUANTILE);
            }
            case "camels" -> {
                if (r.model() == null) {
                    throw new IllegalArgumentException("token weighting 'camels' needs a meta-trained weighting model (bin/freshet meta-train)");
                }
                yield r.model();
            }
            default -> throw new IllegalArgumentException("unknown token weighting '" + name + "': use one of " + TokenWeighting.NAMES);
        };
    }
}
