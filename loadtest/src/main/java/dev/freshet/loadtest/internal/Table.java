package dev.freshet.loadtest.internal;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with a header rule; numbers right-aligned, text left-aligned. */
public final class Table {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(format(c));
        }
        rows.add(r);
        return this;
    }

    /** Doubles with one decimal below 100 and none above; NaN as a dash. */
    public static String format(Object c) {
        if (c instanceof Double d) {
            if (!Double.isFinite(d)) {
                return "-";
            }
            return Math.abs(d) >= 100 ? String.format("%,.0f", d) : Math.abs(d) >= 10 ? String.format("%.1f", d) : String.format("%.2f", d);
        }
        return String.valueOf(c);
    }

    public String render() {
        int[] w = new int[headers.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = headers.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers, w);
        for (int i = 0; i < w.length; i++) {
            sb.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
        }
        sb.append('\n');
        rows.forEach(r -> line(sb, r, w));
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] w) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            boolean numeric = c.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?[%x×]?") || c.equals("-");
            String pad = " ".repeat(w[i] - c.length());
            l.append(i == 0 ? "" : "  ").append(numeric ? pad + c : c + pad);
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
