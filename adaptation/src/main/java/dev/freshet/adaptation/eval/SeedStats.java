package dev.freshet.adaptation.eval;

import java.util.List;

/**
 * One figure of an evaluation over several seeds: the mean, and the spread as the sample standard deviation
 * (denominator n − 1), so "mean ± spread" reads the way papers report repeated runs.
 *
 * @param mean arithmetic mean of the finite values (NaN when there are none)
 * @param spread sample standard deviation of the finite values (NaN for fewer than two)
 * @param n finite values counted; NaN values (a metric undefined for that seed) are left out
 */
public record SeedStats(double mean, double spread, int n) {

    /** The statistics of {@code values}, ignoring NaNs. */
    public static SeedStats of(List<Double> values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return new SeedStats(Double.NaN, Double.NaN, 0);
        }
        double mean = sum / n;
        double squares = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                squares += (v - mean) * (v - mean);
            }
        }
        return new SeedStats(mean, n < 2 ? Double.NaN : Math.sqrt(squares / (n - 1)), n);
    }
}
