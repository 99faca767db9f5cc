package dev.freshet.loadtest.internal;

/**
 * Reads samples out of a Prometheus text-format scrape: enough for gauges and counters, without a client
 * library. A sample line is {@code name{labels} value}; comments start with {@code #}.
 */
public final class Prometheus {

    private Prometheus() {}

    /**
     * The sum of every sample of {@code name} whose labels contain all of {@code labelParts} (e.g.
     * {@code area="heap"}); NaN when none matches.
     */
    public static double sum(String scrape, String name, String... labelParts) {
        double total = 0;
        boolean found = false;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            int rest = name.length();
            if (rest < line.length() && line.charAt(rest) != '{' && line.charAt(rest) != ' ') {
                continue; // a longer metric name with this one as prefix
            }
            String labels = line.charAt(rest) == '{' ? line.substring(rest, line.indexOf('}', rest) + 1) : "";
            boolean match = true;
            for (String part : labelParts) {
                match &= labels.contains(part);
            }
            if (!match) {
                continue;
            }
            String value = line.substring(rest + labels.length()).trim().split("\\s+")[0];
            total += Double.parseDouble(value);
            found = true;
        }
        return found ? total : Double.NaN;
    }
}
