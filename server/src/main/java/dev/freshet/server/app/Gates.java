package dev.freshet.server.app;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.pretrain.PretrainConfig;
import dev.freshet.adaptation.world.TextsFile;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.serving.ProbeSetGate;
import dev.freshet.server.serving.QualityGate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quality gate the server uses. The default model was pretrained on the synthetic world of seed 1234,
 * so its probe set is a fixed, evenly spaced sample of that world's pretraining texts (perplexity must not
 * rise past 5 %) and of its stable questions (facts nothing in the stream changes; exact match must not
 * fall past 5 points). The sample is small on purpose: a gate check runs on the training thread before
 * every promotion and should take well under a second on a CPU.
 */
public final class Gates {

    private static final Logger LOG = LoggerFactory.getLogger(Gates.class);

    /** Old-world texts in the probe set. */
    static final int TEXTS = 8;
    /** Stable questions in the probe set. */
    static final int QUESTIONS = 4;
    /** The world the default model was pretrained on. */
    static final long WORLD_SEED = PretrainConfig.DEFAULT.seed();

    private Gates() {}

    /** The probe-set gate for {@code model}, default thresholds. */
    public static QualityGate forModel(LanguageModel model) {
        return forModel(model, ProbeSetGate.Thresholds.defaults());
    }

    /** The probe-set gate for {@code model} with the given thresholds ({@code serve --gate-max-perplexity-rise ...}). */
    public static QualityGate forModel(LanguageModel model, ProbeSetGate.Thresholds thresholds) {
        return forModel(model, thresholds, null);
    }

    /**
     * The probe-set gate for {@code model}: perplexity on the {@code "text"} lines of {@code probes} and exact match on
     * its question lines ({@code serve --gate-probes FILE}), or, when it is null, on the sample of the synthetic world.
     * A model other than the bundled one without a probe file is warned about: its gate would then read a world it
     * never learned (perplexity still moves with forgetting, exact match hardly can).
     */
    public static QualityGate forModel(LanguageModel model, ProbeSetGate.Thresholds thresholds, TextsFile probes) {
        if (probes != null) {
            return new ProbeSetGate(model, new ProbeSetGate.ProbeSet(probes.texts(), probes.questions()), thresholds);
        }
        if (!bundled(model)) {
            LOG.warn("the quality gate probes {} with the synthetic world of the bundled default model; give serve --gate-probes FILE"
                    + " (JSONL: {\"text\"} lines for perplexity, {\"question\", \"answer\"} lines for exact match) from this model's own domain",
                    model.id());
        }
        World world = World.generate(WORLD_SEED, WorldSize.DEFAULT);
        return new ProbeSetGate(model, new ProbeSetGate.ProbeSet(sample(world.pretrainingTexts(), TEXTS), sample(world.stableQa(), QUESTIONS)),
                thresholds);
    }

    static boolean bundled(LanguageModel model) {
        try {
            return model.isBundledDefault();
        } catch (IOException e) {
            return false;
        }
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
