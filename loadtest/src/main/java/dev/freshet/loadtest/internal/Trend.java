package dev.freshet.loadtest.internal;

import java.util.Arrays;

/**
 * Slope of y over x, two ways. Ordinary least squares is what people expect to see; the Theil–Sen
 * estimator (median of all pairwise slopes) is what verdicts use, because a garbage collector's sawtooth
 * or one slow micro-batch moves a least-squares line but barely moves a median. O(n²) pairs: fine for
 * the few hundred points a scenario collects.
 */
public final class Trend {

    private Trend() {}

    /** Least-squares slope; NaN with fewer than two distinct x. */
    public static double leastSquares(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /**
     * Slope between the medians of the first and last thirds (x sorted). For freshness, whose records come
     * out in micro-batches: within a batch, freshness falls exactly as fast as produce time rises, so when
     * a stage spans only a few batches most pairs have slope −1 and a median pairwise slope says "falling"
     * even while the backlog grows; thirds span batches and see the backlog. NaN with fewer than three points.
     */
    public static double thirds(double[] x, double[] y) {
        int n = x.length;
        if (n < 3) {
            return Double.NaN;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
        int k = n / 3;
        double[] x1 = new double[k];
        double[] y1 = new double[k];
        double[] x3 = new double[k];
        double[] y3 = new double[k];
        for (int i = 0; i < k; i++) {
            x1[i] = x[order[i]];
            y1[i] = y[order[i]];
            x3[i] = x[order[n - k + i]];
            y3[i] = y[order[n - k + i]];
        }
        double dx = median(x3) - median(x1);
        return dx == 0 ? Double.NaN : (median(y3) - median(y1)) / dx;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Median pairwise slope; NaN with fewer than two distinct x. */
    public static double theilSen(double[] x, double[] y) {
        int n = x.length;
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (x[j] != x[i]) {
                    slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
                }
            }
        }
        if (k == 0) {
            return Double.NaN;
        }
        double[] s = Arrays.copyOf(slopes, k);
        Arrays.sort(s);
        return k % 2 == 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
    }
}
