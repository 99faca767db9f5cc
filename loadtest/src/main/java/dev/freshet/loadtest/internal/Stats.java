package dev.freshet.loadtest.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Collection;

/**
 * Summary of a sample: count, mean, nearest-rank percentiles and max. Nearest rank (no interpolation) so a
 * p99 is always a latency some request really had.
 */
public record Stats(int count, double mean, double p50, double p95, double p99, double max) {

    public static final Stats EMPTY = new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static Stats of(Collection<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static Stats of(double[] values) {
        if (values.length == 0) {
            return EMPTY;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return new Stats(v.length, Arrays.stream(v).average().orElse(Double.NaN), rank(v, 0.50), rank(v, 0.95), rank(v, 0.99), v[v.length - 1]);
    }

    private static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The same figures multiplied, e.g. seconds to milliseconds. */
    public Stats scaled(double k) {
        return new Stats(count, mean * k, p50 * k, p95 * k, p99 * k, max * k);
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("count", count);
        put(o, "mean", mean);
        put(o, "p50", p50);
        put(o, "p95", p95);
        put(o, "p99", p99);
        put(o, "max", max);
        return o;
    }

    /** NaN and infinities are not JSON: written as null. */
    static void put(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }
}
