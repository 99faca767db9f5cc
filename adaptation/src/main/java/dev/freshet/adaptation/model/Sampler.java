package dev.freshet.adaptation.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one position's logits: greedy, temperature, and top-p (Holtzman et al. 2020).
 * Works on a Java array: one row of V floats is cheap to copy out, and the choice is then exact and
 * reproducible from the seed.
 */
final class Sampler {

    private final SamplingOptions options;
    private final SplittableRandom rng;

    Sampler(SamplingOptions options) {
        this.options = options;
        this.rng = new SplittableRandom(options.seed());
    }

    int next(float[] logits) {
        if (options.temperature() == 0f) {
            return argmax(logits);
        }
        int v = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = Math.exp((logits[i] - max) / options.temperature());
            sum += p[i];
        }
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        // Keep the smallest prefix of the sorted distribution whose mass reaches top_p.
        double kept = 0;
        int n = 0;
        while (n < v && (n == 0 || kept < options.topP() * sum)) {
            kept += p[order[n++]];
        }
        double r = rng.nextDouble() * kept;
        for (int i = 0; i < n; i++) {
            r -= p[order[i]];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[n - 1];
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
