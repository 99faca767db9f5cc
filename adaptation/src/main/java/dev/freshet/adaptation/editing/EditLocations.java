package dev.freshet.adaptation.editing;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.editing.EditMetrics.Scores;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ParamSpec;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The location study of LocFT (arXiv 2509.22072, its tuning-location analysis): which module to localize edits in.
 *
 * <p>Candidates per layer: each MLP projection alone (GPT-2 {@code mlp.c_fc}, {@code mlp.c_proj}; Llama
 * {@code mlp.gate_proj}, {@code up_proj}, {@code down_proj}), the whole MLP, the attention projections
 * together, and the whole layer (every projection). Each candidate gets a fresh dense-delta adapter,
 * is trained on the same edits, and is measured by {@link EditMetrics}. The paper finds reliability
 * near 100% almost everywhere, better generalisation with coarser modules, and capability best kept by
 * the MLP down-projection of a later layer.
 */
public final class EditLocations {

    private static final Pattern LAYERED = Pattern.compile("^(?:.*?\\.)?(\\d+)\\.(.+)$");

    private EditLocations() {}

    /**
     * One candidate location.
     *
     * @param layer transformer block index
     * @param kind {@code mlp.c_proj}-style projection suffix, or {@code mlp}, {@code attn}, {@code layer}
     * @param modules the projections it covers, by Hugging Face module name
     */
    public record Location(int layer, String kind, List<String> modules) {
        public Location {
            modules = List.copyOf(modules);
        }

        public String label() {
            return "L" + layer + " " + kind;
        }

        /** The dense-delta adapter spec of this location. */
        public AdapterSpec.Delta spec() {
            return new AdapterSpec.Delta(modules);
        }

        public boolean wholeLayer() {
            return kind.equals("layer");
        }
    }

    /** Every candidate of {@code model}, layer by layer. */
    public static List<Location> candidates(LanguageModel model) {
        Map<Integer, List<String[]>> byLayer = new TreeMap<>(); // layer → [module, suffix]
        for (ParamSpec p : model.architecture().parameters()) {
            Matcher m = LAYERED.matcher(p.module());
            if (p.isProjection() && m.matches()) {
                byLayer.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(new String[] {p.module(), m.group(2)});
            }
        }
        List<Location> out = new ArrayList<>();
        for (Map.Entry<Integer, List<String[]>> e : byLayer.entrySet()) {
            List<String> mlp = new ArrayList<>();
            List<String> attn = new ArrayList<>();
            List<String> all = new ArrayList<>();
            for (String[] ms : e.getValue()) {
                all.add(ms[0]);
                if (ms[1].startsWith("mlp.")) {
                    mlp.add(ms[0]);
                    out.add(new Location(e.getKey(), ms[1], List.of(ms[0])));
                } else {
                    attn.add(ms[0]);
                }
            }
            if (mlp.size() > 1) {
                out.add(new Location(e.getKey(), "mlp", mlp));
            }
            if (!attn.isEmpty()) {
                out.add(new Location(e.getKey(), "attn", attn));
            }
            out.add(new Location(e.getKey(), "layer", all));
        }
        return out;
    }

    /** One trained location: its size, its scores and what training cost. */
    public record Row(String location, EditOrder order, long parameters, Scores scores, long appliedSteps, double seconds) {}

    /** A sweep's rows, with the unedited model's scores on the same edits for reference. */
    public record Sweep(Scores base, List<Row> rows) {
        public Sweep {
            rows = List.copyOf(rows);
        }

        /** A fixed-width text table, one line per row, percentages. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-18s %-5s %9s %9s %9s %9s %7s %8s%n", "location", "order", "params", "efficacy", "general.", "locality", "steps",
                    "seconds"));
            sb.append(String.format(Locale.ROOT, "%-18s %-5s %9s %8.1f%% %8.1f%% %8.1f%% %7s %8s%n", "(unedited)", "-", "0", 100 * base.efficacy(),
                    100 * base.generalization(), 100 * base.locality(), "-", "-"));
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "%-18s %-5s %9d %8.1f%% %8.1f%% %8.1f%% %7d %8.1f%n", r.location(), r.order().shortName(), r.parameters(),
                        100 * r.scores().efficacy(), 100 * r.scores().generalization(), 100 * r.scores().locality(), r.appliedSteps(), r.seconds()));
            }
            return sb.toString();
        }
    }

    /**
     * Trains a fresh delta at each location with each order, feeding {@code edits} in windows of
     * {@code windowSize}, and measures all edits afterwards.
     *
     * @param wholeLayerLearningRate used instead of the settings' rate for whole-layer locations (the
     *     paper lowers it tenfold there)
     * @param progress receives each row as it completes (may be null)
     */
    public static Sweep sweep(LanguageModel model, List<WorldEdit> edits, List<Location> locations, List<EditOrder> orders, EditSettings settings,
            float wholeLayerLearningRate, int windowSize, java.util.function.Consumer<Row> progress) {
        if (windowSize < 1) {
            throw new IllegalArgumentException("window size must be >= 1, got " + windowSize);
        }
        Scores base = EditMetrics.measure(model, Adaptation.NONE, edits);
        List<Row> rows = new ArrayList<>();
        for (Location loc : locations) {
            EditSettings s = loc.wholeLayer() ? settings.withLearningRate(wholeLayerLearningRate) : settings;
            for (EditOrder order : orders) {
                try (Adapter adapter = Adapter.create(model, loc.spec(), "locft-" + order.shortName(), settings.seed())) {
                    EditTrainer trainer = order.trainer(model, adapter, adapter.modules(), s);
                    long steps = 0;
                    long start = System.nanoTime();
                    for (int from = 0; from < edits.size(); from += windowSize) {
                        steps += trainer.apply(edits.subList(from, Math.min(edits.size(), from + windowSize))).appliedSteps();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    Row row = new Row(loc.label(), order, adapter.parameterCount(), EditMetrics.measure(model, adapter.adaptation(), edits), steps, seconds);
                    rows.add(row);
                    if (progress != null) {
                        progress.accept(row);
                    }
                }
            }
        }
        return new Sweep(base, rows);
    }
}
