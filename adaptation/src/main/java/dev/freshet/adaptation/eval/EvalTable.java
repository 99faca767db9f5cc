package dev.freshet.adaptation.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table an evaluation prints: a row per method, a column per metric, each cell the {@link SeedStats} of the
 * per-seed values added to it. The same content goes to JSON with the raw per-seed values, so a reader can
 * recompute any figure, plus the run's settings and notes.
 */
public final class EvalTable {

    /** How a column's values print: fractions as percentages, or plain numbers with some decimals. */
    public record Column(String key, String header, boolean percent, int decimals) {
        public static Column percent(String key, String header) {
            return new Column(key, header, true, 1);
        }

        public static Column number(String key, String header, int decimals) {
            return new Column(key, header, false, decimals);
        }

        String format(SeedStats s) {
            double k = percent ? 100 : 1;
            if (s.n() == 0) {
                return "n/a";
            }
            String mean = String.format(Locale.ROOT, "%." + decimals + "f", k * s.mean());
            return Double.isNaN(s.spread()) ? mean : mean + " ± " + String.format(Locale.ROOT, "%." + decimals + "f", k * s.spread());
        }
    }

    private final String name;
    private final List<Column> columns;
    private final Map<String, Map<String, List<Double>>> rows = new LinkedHashMap<>();
    private final JsonObject settings = new JsonObject();
    private final List<String> notes = new ArrayList<>();

    /** @param name the evaluation's name ({@code uptake}, {@code edits}, {@code forgetting}) */
    public EvalTable(String name, List<Column> columns) {
        this.name = name;
        this.columns = List.copyOf(columns);
    }

    public String name() {
        return name;
    }

    /** Appends one seed's value of {@code column} to {@code row} (rows appear in the order first added). */
    public void add(String row, String column, double value) {
        if (columns.stream().noneMatch(c -> c.key().equals(column))) {
            throw new IllegalArgumentException("no column '" + column + "' in table " + name);
        }
        rows.computeIfAbsent(row, r -> new LinkedHashMap<>()).computeIfAbsent(column, c -> new ArrayList<>()).add(value);
    }

    /** The per-seed values of one cell, in the order added (empty when none). */
    public List<Double> values(String row, String column) {
        return List.copyOf(rows.getOrDefault(row, Map.of()).getOrDefault(column, List.of()));
    }

    /** The latest seed's value of every column of {@code row}, as {@code header value} pairs: one seed's progress line. */
    public String lastRow(String row) {
        StringBuilder sb = new StringBuilder();
        for (Column c : columns) {
            List<Double> v = values(row, c.key());
            if (!v.isEmpty()) {
                double last = v.get(v.size() - 1);
                sb.append(sb.isEmpty() ? "" : "  ").append(c.header()).append(' ')
                        .append(String.format(Locale.ROOT, "%." + c.decimals() + "f", c.percent() ? 100 * last : last));
            }
        }
        return sb.toString();
    }

    public SeedStats stats(String row, String column) {
        return SeedStats.of(values(row, column));
    }

    public List<String> rowLabels() {
        return List.copyOf(rows.keySet());
    }

    /** A setting recorded in the JSON (and echoed by the command that prints the table). */
    public void setting(String key, Object value) {
        settings.addProperty(key, String.valueOf(value));
    }

    /** The settings recorded so far, in the order set. */
    public Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        settings.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
        return out;
    }

    /** A line printed under the table and kept in the JSON: what a reader must know to read the numbers right. */
    public void note(String line) {
        notes.add(line);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    /** Fixed-width text: header, one line per row, then the notes. */
    public String render() {
        int labelWidth = Math.max(12, rows.keySet().stream().mapToInt(String::length).max().orElse(0));
        List<String[]> cells = new ArrayList<>();
        int[] widths = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            widths[c] = columns.get(c).header().length();
        }
        for (String row : rows.keySet()) {
            String[] line = new String[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                line[c] = columns.get(c).format(stats(row, columns.get(c).key()));
                widths[c] = Math.max(widths[c], line[c].length());
            }
            cells.add(line);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", labelWidth));
        for (int c = 0; c < columns.size(); c++) {
            sb.append("  ").append(pad(columns.get(c).header(), widths[c]));
        }
        sb.append('\n');
        int r = 0;
        for (String row : rows.keySet()) {
            sb.append(pad(row, labelWidth));
            for (int c = 0; c < columns.size(); c++) {
                sb.append("  ").append(pad(cells.get(r)[c], widths[c]));
            }
            sb.append('\n');
            r++;
        }
        for (String n : notes) {
            sb.append("  * ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** Everything as JSON: settings, notes, and per row and column the mean, spread and per-seed values. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("eval", name);
        o.add("settings", settings.deepCopy());
        JsonArray cols = new JsonArray();
        for (Column c : columns) {
            JsonObject j = new JsonObject();
            j.addProperty("key", c.key());
            j.addProperty("header", c.header());
            j.addProperty("unit", c.percent() ? "fraction" : "number");
            cols.add(j);
        }
        o.add("columns", cols);
        JsonArray out = new JsonArray();
        for (String row : rows.keySet()) {
            JsonObject j = new JsonObject();
            j.addProperty("label", row);
            JsonObject metrics = new JsonObject();
            for (Column c : columns) {
                SeedStats s = stats(row, c.key());
                JsonObject m = new JsonObject();
                m.add("mean", number(s.mean()));
                m.add("spread", number(s.spread()));
                JsonArray vs = new JsonArray();
                values(row, c.key()).forEach(v -> vs.add(number(v)));
                m.add("values", vs);
                metrics.add(c.key(), m);
            }
            j.add("metrics", metrics);
            out.add(j);
        }
        o.add("rows", out);
        JsonArray ns = new JsonArray();
        notes.forEach(ns::add);
        o.add("notes", ns);
        return o;
    }

    /** A number, or JSON null when it is NaN (undefined for that seed) or infinite: neither is valid JSON. */
    private static JsonElement number(double v) {
        return !Double.isFinite(v) ? JsonNull.INSTANCE : new JsonPrimitive(v);
    }

    /** Writes {@link #toJson()} to {@code file}, creating its folder. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String json = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(toJson());
        Files.writeString(file, json + "\n", StandardCharsets.UTF_8);
    }
}
