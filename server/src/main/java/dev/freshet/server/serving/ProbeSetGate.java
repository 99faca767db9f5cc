package dev.freshet.server.serving;

import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaPair;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The default {@link QualityGate}: a candidate must not forget what the served version knows.
 *
 * <p>It measures both versions on a fixed probe set: perplexity on old-world text (general language and
 * facts that should survive adaptation) and exact match on neighbourhood questions (facts near the ones
 * being learned, which a careless edit overwrites). The candidate is rejected when its perplexity rises by
 * more than {@code maxPerplexityIncrease} (relative) or its exact match falls by more than
 * {@code maxExactMatchDrop} (absolute). Improvements are never a reason to reject. Measurement reuses
 * {@link QaEval}, so the gate scores answers exactly as evaluation does.
 */
public final class ProbeSetGate implements QualityGate {

    /**
     * What the gate measures.
     *
     * @param oldWorldTexts texts whose perplexity must not regress
     * @param neighbourhood questions whose answers must not be lost
     */
    public record ProbeSet(List<String> oldWorldTexts, List<QaPair> neighbourhood) {
        public ProbeSet {
            oldWorldTexts = List.copyOf(oldWorldTexts);
            neighbourhood = List.copyOf(neighbourhood);
            if (oldWorldTexts.isEmpty() && neighbourhood.isEmpty()) {
                throw new IllegalArgumentException("a probe set needs old-world texts, neighbourhood questions, or both");
            }
        }
    }

    /**
     * How much regression is tolerated.
     *
     * @param maxPerplexityIncrease relative rise allowed, e.g. 0.05 = 5 %
     * @param maxExactMatchDrop absolute fall allowed in [0, 1], e.g. 0.05 = 5 points
     */
    public record Thresholds(double maxPerplexityIncrease, double maxExactMatchDrop) {
        public Thresholds {
            if (!(maxPerplexityIncrease >= 0) || !(maxExactMatchDrop >= 0 && maxExactMatchDrop <= 1)) {
                throw new IllegalArgumentException("gate thresholds must be >= 0 (exact-match drop at most 1), got "
                        + maxPerplexityIncrease + ", " + maxExactMatchDrop);
            }
        }

        /** 5 % perplexity, 5 points of exact match. */
        public static Thresholds defaults() {
            return new Thresholds(0.05, 0.05);
        }
    }

    private final LanguageModel model;
    private final ProbeSet probes;
    private final Thresholds thresholds;

    public ProbeSetGate(LanguageModel model, ProbeSet probes, Thresholds thresholds) {
        this.model = model;
        this.probes = probes;
        this.thresholds = thresholds;
    }

    @Override
    public GateVerdict evaluate(Adaptation served, long servedVersion, Adaptation candidate, long candidateVersion) {
        Map<String, Double> scores = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        if (!probes.oldWorldTexts().isEmpty()) {
            double before = QaEval.perplexity(model, served, probes.oldWorldTexts());
            double after = QaEval.perplexity(model, candidate, probes.oldWorldTexts());
            scores.put("perplexity.served", before);
            scores.put("perplexity.candidate", after);
            double rise = after / before - 1;
            if (!(rise <= thresholds.maxPerplexityIncrease())) { // NaN fails too
                failures.add(String.format(Locale.ROOT, "old-world perplexity %.3f -> %.3f (+%.1f%%, limit %.1f%%)", before, after,
                        100 * rise, 100 * thresholds.maxPerplexityIncrease()));
            }
        }
        if (!probes.neighbourhood().isEmpty()) {
            double before = QaEval.evaluate(model, served, probes.neighbourhood()).exactMatch();
            double after = QaEval.evaluate(model, candidate, probes.neighbourhood()).exactMatch();
            scores.put("exact_match.served", before);
            scores.put("exact_match.candidate", after);
            if (before - after > thresholds.maxExactMatchDrop() + 1e-12) {
                failures.add(String.format(Locale.ROOT, "neighbourhood exact match %.3f -> %.3f (limit -%.3f)", before, after,
                        thresholds.maxExactMatchDrop()));
            }
        }
        String reason = failures.isEmpty() ? "within thresholds" : String.join("; ", failures);
        return new GateVerdict(failures.isEmpty(), reason, servedVersion, scores);
    }
}
