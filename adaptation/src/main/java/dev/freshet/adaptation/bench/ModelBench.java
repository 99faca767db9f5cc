package dev.freshet.adaptation.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.model.ParameterSource;
import dev.freshet.adaptation.model.SamplingOptions;
import dev.freshet.adaptation.train.GradientStep;
import dev.freshet.adaptation.train.Optimizer;
import dev.freshet.adaptation.train.TokenBatch;
import dev.freshet.adaptation.train.WeightedLoss;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The model benchmark: this machine's fp32 matmul ceiling, training throughput of the default model's step
 * as a fraction of that ceiling, and generation speed. All figures come from one run, so the ratio holds
 * even on a shared, noisy machine. A benchmark, not a test: it prints numbers and asserts nothing.
 *
 * <p>FLOPs per trained token: 6·N for the weight matmuls (N = L·(4C² + 2·C·I) + V·C, the tied output
 * projection included) plus 12·L·T·C for attention scores and mixing (forward 4·T·C per layer, backward
 * twice that). An adapter step on a frozen base skips the weight gradients of frozen layers and the
 * backward pass below the adapted module, so it is reported as throughput and speed-up only.
 */
public final class ModelBench {

    private ModelBench() {}

    /** One measured figure set. */
    public record Result(double ceilingGflops, Map<Integer, Double> matmulGflops, double trainTokensPerSec, double trainGflops,
            double adapterTokensPerSec, double generateTokensPerSec, double generateNoCacheTokensPerSec) {}

    public static Result run(LanguageModel model, int batch, int seqLen, int steps, PrintStream out) {
        Map<Integer, Double> mm = new LinkedHashMap<>();
        for (int n : new int[] {256, 512, 1024, 2048}) {
            mm.put(n, matmulGflops(model.manager(), n));
            out.printf("matmul %4d³ fp32: %6.1f GFLOP/s%n", n, mm.get(n));
        }
        double ceiling = mm.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        ModelConfig c = model.config();
        double flopsPerToken = 6.0 * ((double) c.layers() * (4L * c.hidden() * c.hidden() + 2L * c.hidden() * c.intermediate())
                + (double) c.vocabSize() * c.hidden()) + 12.0 * c.layers() * seqLen * c.hidden();

        double fullTps = trainTokensPerSec(model, batch, seqLen, steps, true);
        double fullGflops = fullTps * flopsPerToken / 1e9;
        out.printf("train step, all weights (B=%d, T=%d): %8.0f tokens/s = %5.1f GFLOP/s = %4.1f%% of the measured ceiling%n", batch, seqLen,
                fullTps, fullGflops, 100 * fullGflops / ceiling);
        double adapterTps = trainTokensPerSec(model, batch, seqLen, steps, false);
        // Its FLOPs depend on how deep the adapted module sits (backward stops there), so it is reported
        // as throughput and as a speed-up over the full step, not as a fraction of the ceiling.
        out.printf("train step, one localized delta (last MLP output projection): %8.0f tokens/s (%.1f× the full step)%n", adapterTps,
                adapterTps / fullTps);

        double gen = generateTokensPerSec(model, true);
        double genNoCache = generateTokensPerSec(model, false);
        out.printf("generation, greedy, batch 1: %6.1f tokens/s with KV cache, %6.1f without (%.1f×)%n", gen, genNoCache, gen / genNoCache);
        // A tenant's rank-8 LoRA on the attention and MLP output projections, applied per step vs fused (W + ΔW),
        // the form the server switches to when one tenant dominates the traffic.
        try (Adapter lora = Adapter.create(model, new AdapterSpec.Lora(8, 16f, List.of("c_attn", "mlp.c_proj")), "bench", 1);
                Adapter.Fused fused = lora.fuse(model)) {
            double applied = generateTokensPerSec(model, model.weights(), lora.adaptation(), true);
            double merged = generateTokensPerSec(model, fused.parameters(), Adaptation.NONE, true);
            out.printf("generation with a tenant's LoRA (rank 8): %6.1f tokens/s applied per step, %6.1f fused (%.2f×)%n", applied, merged,
                    merged / applied);
        } catch (IllegalArgumentException notGpt2) {
            out.println("generation with a tenant's LoRA: skipped (" + notGpt2.getMessage() + ")");
        }
        return new Result(ceiling, mm, fullTps, fullGflops, adapterTps, gen, genNoCache);
    }

    /** Best of a few timed repetitions of an n×n×n fp32 matmul. */
    public static double matmulGflops(NDManager parent, int n) {
        try (NDScope scope = new NDScope(); NDManager m = parent.newSubManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            int reps = Math.max(2, (int) (2e9 / (2.0 * n * n * n)));
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    a.matMul(b).close();
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }

    private static double trainTokensPerSec(LanguageModel model, int batch, int seqLen, int steps, boolean allWeights) {
        SplittableRandom rng = new SplittableRandom(1);
        List<TokenBatch.Sequence> seqs = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] t = new int[seqLen + 1];
            for (int i = 0; i < t.length; i++) {
                t[i] = rng.nextInt(model.config().vocabSize());
            }
            seqs.add(TokenBatch.Sequence.uniform(t));
        }
        TokenBatch tb = TokenBatch.of(seqs);
        Map<String, NDArray> snapshot = new LinkedHashMap<>();
        Adapter adapter = null;
        try (NDManager scratch = model.manager().newSubManager(); Optimizer opt = new Optimizer.AdamW(scratch, 1e-9f, 0f)) {
            Map<String, NDArray> trainable;
            Function<Map<String, NDArray>, NDArray> loss;
            if (allWeights) {
                // Train a copy so the benchmark never changes the model it was given.
                for (Map.Entry<String, NDArray> e : model.weights().all().entrySet()) {
                    NDArray copy = e.getValue().duplicate();
                    copy.attach(scratch);
                    snapshot.put(e.getKey(), copy);
                }
                trainable = snapshot;
                loss = leaves -> WeightedLoss.of(model.logits(model.weights().overlay(leaves), Adaptation.NONE, tb.inputsArray(scratch)),
                        tb.targetsArray(scratch), tb.weightsArray(scratch), tb.predicted());
            } else {
                String module = model.config().family() == ModelConfig.Family.GPT2 ? "h." + (model.config().layers() - 1) + ".mlp.c_proj"
                        : "model.layers." + (model.config().layers() - 1) + ".mlp.down_proj";
                adapter = Adapter.create(model, new AdapterSpec.Delta(List.of(module)), "bench", 1);
                Adapter a = adapter;
                trainable = a.tensors();
                loss = leaves -> WeightedLoss.of(model.logits(model.weights(), a.over(leaves), tb.inputsArray(scratch)), tb.targetsArray(scratch),
                        tb.weightsArray(scratch), tb.predicted());
            }
            GradientStep step = new GradientStep(trainable, opt, 1f);
            step.step(loss); // warm-up: first-call allocations and kernel selection
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.step(loss);
            }
            return (double) steps * batch * seqLen / ((System.nanoTime() - t0) / 1e9);
        } finally {
            if (adapter != null) {
                adapter.close();
            }
        }
    }

    private static double generateTokensPerSec(LanguageModel model, boolean cache) {
        return generateTokensPerSec(model, model.weights(), Adaptation.NONE, cache);
    }

    private static double generateTokensPerSec(LanguageModel model, ParameterSource params, Adaptation adaptation,
            boolean cache) {
        int n = Math.min(64, model.config().maxPositions() / 2);
        // Force full-length generation: no EOS stop by asking for tokens past any stop.
        SamplingOptions opts = SamplingOptions.greedy(n).withKvCache(cache);
        model.generate("Q: Where", opts, params, adaptation, null);
        long t0 = System.nanoTime();
        int produced = 0;
        for (int i = 0; i < 3; i++) {
            produced += model.generate("Q: Where", opts, params, adaptation, null).tokens().length;
        }
        return produced / ((System.nanoTime() - t0) / 1e9);
    }
}
