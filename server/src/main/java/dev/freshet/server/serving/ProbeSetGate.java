package dev.freshet.server.serving;

import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaPair;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;

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
    private final Map<Adaptation, Scores> measured = Collections.synchronizedMap(new WeakHashMap<>());

    public ProbeSetGate(LanguageModel model, ProbeSet probes, Thresholds thresholds) {
        this.model = model;
        this.probes = probes;
        this.thresholds = thresholds;
    }

    @Override
    public GateVerdict evaluate(Adaptation served, long servedVersion, Adaptation candidate, long candidateVersion) {
        Scores before = scores(served);
        Scores after = scores(candidate);
        Map<String, Double> scores = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        if (!probes.oldWorldTexts().isEmpty()) {
            scores.put("perplexity.served", before.perplexity());
            scores.put("perplexity.candidate", after.perplexity());
            double rise = after.perplexity() / before.perplexity() - 1;
            if (!(rise <= thresholds.maxPerplexityIncrease())) { // NaN fails too
                failures.add(String.format(Locale.ROOT, "old-world perplexity %.3f -> %.3f (+%.1f%%, limit %.1f%%)", before.perplexity(),
                        after.perplexity(), 100 * rise, 100 * thresholds.maxPerplexityIncrease()));
            }
        }
        if (!probes.neighbourhood().isEmpty()) {
            scores.put("exact_match.served", before.exactMatch());
            scores.put("exact_match.candidate", after.exactMatch());
            if (before.exactMatch() - after.exactMatch() > thresholds.maxExactMatchDrop() + 1e-12) {
                failures.add(String.format(Locale.ROOT, "neighbourhood exact match %.3f -> %.3f (limit -%.3f)", before.exactMatch(),
                        after.exactMatch(), thresholds.maxExactMatchDrop()));
            }
        }
        String reason = failures.isEmpty() ? "within thresholds" : String.join("; ", failures);
        return new GateVerdict(failures.isEmpty(), reason, servedVersion, scores);
    }

    /**
     * A version's probe scores, measured once: versions are immutable and an adapter's {@link Adaptation}
     * is one object for its life, so a promoted candidate's scores are reused when it is the served side of
     * the next check, which halves the cost of every gate after the first. Weak keys: a retired version's
     * entry goes with it.
     */
    private Scores scores(Adaptation a) {
        Scores s = measured.get(a);
        if (s == null) {
            double ppl = probes.oldWorldTexts().isEmpty() ? Double.NaN : QaEval.perplexity(model, a, probes.oldWorldTexts());
            double em = probes.neighbourhood().isEmpty() ? Double.NaN : QaEval.evaluate(model, a, probes.neighbourhood()).exactMatch();
            s = new Scores(ppl, em);
            measured.put(a, s);
        }
        return s;
    }

    private record Scores(double perplexity, double exactMatch) {}
}
