package dev.freshet.server.app;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.serving.ProbeSetGate;
import dev.freshet.server.serving.QualityGate;
import java.util.ArrayList;
import java.util.List;

/**
 * The quality gate the server uses. The default model was pretrained on the synthetic world of seed 1234,
 * so its probe set is a fixed, evenly spaced sample of that world's pretraining texts (perplexity must not
 * rise past 5 %) and of its stable questions (facts nothing in the stream changes; exact match must not
 * fall past 5 points). The sample is small on purpose: a gate check runs on the training thread before
 * every promotion and should take well under a second on a CPU.
 */
public final class Gates {

    /** Old-world texts in the probe set. */
    static final int TEXTS = 8;
    /** Stable questions in the probe set. */
    static final int QUESTIONS = 4;
    static final long WORLD_SEED = 1234;

    private Gates() {}

    /** The probe-set gate for {@code model}, default thresholds. */
    public static QualityGate forModel(LanguageModel model) {
        return forModel(model, ProbeSetGate.Thresholds.defaults());
    }

    /** The probe-set gate for {@code model} with the given thresholds ({@code serve --gate-max-perplexity-rise ...}). */
    public static QualityGate forModel(LanguageModel model, ProbeSetGate.Thresholds thresholds) {
        World world = World.generate(WORLD_SEED, WorldSize.DEFAULT);
        return new ProbeSetGate(model, new ProbeSetGate.ProbeSet(sample(world.pretrainingTexts(), TEXTS), sample(world.stableQa(), QUESTIONS)),
                thresholds);
    }

    /** No gate: every candidate is promoted. */
    public static QualityGate none(LanguageModel model) {
        return QualityGate.ALWAYS_PASS;
    }

    /** {@code n} items spread evenly over {@code all}, deterministic. */
    static <T> List<T> sample(List<T> all, int n) {
        List<T> out = new ArrayList<>();
        if (all.isEmpty()) {
            return out;
        }
        int k = Math.min(n, all.size());
        for (int i = 0; i < k; i++) {
            out.add(all.get((int) ((long) i * all.size() / k)));
        }
        return out;
    }
}
