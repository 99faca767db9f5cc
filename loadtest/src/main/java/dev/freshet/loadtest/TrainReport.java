package dev.freshet.loadtest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.loadtest.internal.Report;
import dev.freshet.loadtest.internal.Table;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The table and JSON of {@code bench train}. The measuring is the model benchmark's (in the adaptation
 * module, which this module must not know); this turns its figures into the same report shape as the
 * other scenarios. No plot: the figures have no time axis.
 */
public final class TrainReport {

    /**
     * One run's figures.
     *
     * @param matmulGflops fp32 GFLOP/s per matrix size n (n×n×n)
     * @param ceilingGflops the best of them: the ceiling the training figures are a fraction of
     * @param trainTokensPerSec training step on all weights (batch × seqLen tokens per step)
     * @param trainGflops the same step in GFLOP/s
     * @param adapterTokensPerSec training step of one localized delta adapter
     * @param generateTokensPerSec greedy generation, batch 1, KV cache on and off
     */
    public record Figures(int batch, int seqLen, int steps, Map<Integer, Double> matmulGflops, double ceilingGflops, double trainTokensPerSec,
            double trainGflops, double adapterTokensPerSec, double generateTokensPerSec, double generateNoCacheTokensPerSec) {
        public Figures {
            matmulGflops = Map.copyOf(matmulGflops);
        }
    }

    private TrainReport() {}

    public static Outcome write(Figures f, Path outDir, PrintStream out) throws IOException {
        double fraction = f.trainGflops() / f.ceilingGflops();
        Table t = new Table("figure", "value", "unit", "of ceiling");
        f.matmulGflops().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> t.row("matmul " + e.getKey() + "³ fp32", e.getValue(), "GFLOP/s", "-"));
        t.row("ceiling (best matmul)", f.ceilingGflops(), "GFLOP/s", "100%");
        t.row("train, all weights", f.trainTokensPerSec(), "tokens/s", String.format("%.0f%%", 100 * fraction));
        t.row("train, all weights", f.trainGflops(), "GFLOP/s", String.format("%.0f%%", 100 * fraction));
        t.row("train, one localized delta", f.adapterTokensPerSec(), "tokens/s", "-");
        t.row("generate, KV cache", f.generateTokensPerSec(), "tokens/s", "-");
        t.row("generate, no cache", f.generateNoCacheTokensPerSec(), "tokens/s", "-");
        List<String> failures = new ArrayList<>();
        if (!(f.trainTokensPerSec() > 0) || !(f.ceilingGflops() > 0)) {
            failures.add("no throughput measured");
        }
        ObjectNode json = Report.newJson("train");
        json.putObject("settings").put("batch", f.batch()).put("seq_len", f.seqLen()).put("steps", f.steps());
        ObjectNode mm = json.putObject("matmul_gflops");
        f.matmulGflops().forEach((n, g) -> mm.put(Integer.toString(n), g));
        json.put("ceiling_gflops", f.ceilingGflops()).put("train_tokens_per_s", f.trainTokensPerSec()).put("train_gflops", f.trainGflops())
                .put("fraction_of_ceiling", fraction).put("adapter_tokens_per_s", f.adapterTokensPerSec())
                .put("generate_tokens_per_s", f.generateTokensPerSec()).put("generate_no_cache_tokens_per_s", f.generateNoCacheTokensPerSec());
        String text = t.render() + String.format("training reaches %.0f%% of this machine's measured fp32 matmul ceiling%n", 100 * fraction);
        return Report.finish("train", json, text, failures, null, outDir, out);
    }
}
