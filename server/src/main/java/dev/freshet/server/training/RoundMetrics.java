package dev.freshet.server.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one training round measured for one tenant; recorded in the version's manifest.
 *
 * @param records records the version covers for the first time
 * @param steps gradient steps applied
 * @param refusedSteps steps refused for a non-finite loss or gradient
 * @param tokens predicted tokens over the applied steps
 * @param meanLoss the mean loss of the applied steps (NaN when none applied)
 * @param seconds time spent in steps, yielding excluded
 */
public record RoundMetrics(int records, int steps, int refusedSteps, long tokens, double meanLoss, double seconds) {

    /** The manifest's {@code metrics} entries. */
    public Map<String, Double> toManifestMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_records", (double) records);
        m.put("train_steps", (double) steps);
        m.put("train_refused_steps", (double) refusedSteps);
        m.put("train_tokens", (double) tokens);
        if (!Double.isNaN(meanLoss)) {
            m.put("train_loss", meanLoss);
        }
        m.put("train_seconds", seconds);
        return m;
    }

    /** Accumulates a round's steps; used by the training thread only. */
    static final class Meter {
        private int steps;
        private int refused;
        private long tokens;
        private double lossSum;
        private long nanos;

        void step(boolean applied, float loss, int predicted, long stepNanos) {
            nanos += stepNanos;
            if (applied) {
                steps++;
                tokens += predicted;
                lossSum += loss;
            } else {
                refused++;
            }
        }

        RoundMetrics finish(int records) {
            return new RoundMetrics(records, steps, refused, tokens, steps == 0 ? Double.NaN : lossSum / steps, nanos / 1e9);
        }
    }
}
