package dev.freshet.server.cli;

import dev.freshet.adaptation.bench.ModelBench;
import dev.freshet.adaptation.model.LanguageModel;

import java.util.Set;

/** {@code bench}: benchmarks that print figures (never pass/fail). */
final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmarks: 'bench train' (matmul ceiling, training and generation speed)";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet bench train [--batch B] [--seq-len T] [--steps N] [--quick] [options]

            train: measures this machine's fp32 matmul GFLOP/s (the ceiling), the default model's training
            step in tokens/s and as a fraction of that ceiling (all weights, and one localized delta), and
            greedy generation speed with and without the KV cache. Figures are measured in one run so their
            ratios hold on a noisy machine.

              --batch B      sequences per step (default 16)
              --seq-len T    tokens per sequence (default 128)
              --steps N      timed steps (default 10; --quick: 3)
            """ + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("batch", "seq-len", "steps", "model", "device");
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of("quick");
    }

    @Override
    public int run(Args a) throws Exception {
        if (a.positional().isEmpty() || !a.positional().get(0).equals("train")) {
            throw new Args.UsageException("name a scenario: train");
        }
        try (LanguageModel m = Models.open(a)) {
            int steps = a.getInt("steps", a.has("quick") ? 3 : 10);
            ModelBench.run(m, a.getInt("batch", 16), Math.min(a.getInt("seq-len", 128), m.config().maxPositions() - 1), steps, System.out);
        }
        return 0;
    }
}
