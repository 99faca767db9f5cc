package dev.freshet.adaptation.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;
import dev.freshet.adaptation.tokenizer.BpeTrainer;
import dev.freshet.adaptation.train.GradientStep;
import dev.freshet.adaptation.train.Optimizer;
import dev.freshet.adaptation.train.StepResult;
import dev.freshet.adaptation.train.TokenBatch;
import dev.freshet.adaptation.train.WeightedLoss;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Trains the bundled default model from nothing: the synthetic world's old-world corpus, a BPE vocabulary
 * fitted to it, a small GPT-2 initialised from the seed, and AdamW over packed sequences.
 *
 * <p>Run: {@code bin/freshet pretrain --out DIR}. Deterministic in {@link PretrainConfig#seed()} (world,
 * tokenizer, initialisation and data order) on a given libtorch build and thread count.
 */
public final class Pretrainer {

    /** The end-of-text token: separates packed texts and starts every prompt. */
    public static final String EOS = "<|endoftext|>";

    private Pretrainer() {}

    /** Result of a pretraining run; also written as {@code training.json}. */
    public record Report(long parameters, int steps, double seconds, double tokensPerSecond, double finalLoss,
            double heldOutPerplexity, double trainedQaExactMatch, double heldOutQaExactMatch) {}

    public static Report run(PretrainConfig cfg, WorldSize size, Path outDir, Device device, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        World world = World.generate(cfg.seed(), size);
        List<String> texts = world.pretrainingTexts();
        log.printf("world: %d pretraining texts, %d QA pairs, %d held-out QA%n", texts.size(), world.pretrainingQa().size(), world.heldOutQa().size());
        BpeTokenizer tok = BpeTrainer.train(texts, cfg.vocabSize(), List.of(EOS));
        int eos = tok.idOf(EOS).orElseThrow();
        log.printf("tokenizer: %d tokens (%.1f s)%n", tok.vocabSize(), (System.nanoTime() - t0) / 1e9);
        List<int[]> encoded = new ArrayList<>();
        long corpusTokens = 0;
        for (String t : texts) {
            int[] ids = tok.encode(t);
            encoded.add(ids);
            corpusTokens += ids.length + 1;
        }
        ModelConfig mc = new ModelConfig(ModelConfig.Family.GPT2, tok.vocabSize(), cfg.hidden(), cfg.layers(), cfg.heads(), cfg.heads(),
                4 * cfg.hidden(), cfg.positions(), 1e-5f, 0f, true, true, "gelu", -1, eos, "gpt2");
        try (LanguageModel model = LanguageModel.initialize("freshet-default", mc, tok, cfg.seed(), device);
                Optimizer opt = new Optimizer.AdamW(model.manager(), cfg.lr(), 0f)) {
            log.printf("model: GPT-2 family, %d parameters, corpus %d tokens, %d tokens per step%n",
                    model.weights().parameterCount(), corpusTokens, cfg.batch() * cfg.seqLen());
            GradientStep trainer = new GradientStep(model.weights().all(), opt, 1.0f);
            Packer packer = new Packer(encoded, eos, cfg.seqLen() + 1, cfg.seed());
            double emaLoss = Double.NaN;
            long trainStart = System.nanoTime();
            for (int step = 1; step <= cfg.steps(); step++) {
                List<TokenBatch.Sequence> seqs = new ArrayList<>();
                for (int b = 0; b < cfg.batch(); b++) {
                    seqs.add(TokenBatch.Sequence.uniform(packer.next()));
                }
                TokenBatch batch = TokenBatch.of(seqs);
                StepResult r = trainer.step(leaves -> {
                    NDArray logits = model.logits(model.weights().overlay(leaves), Adaptation.NONE, batch.inputsArray(model.manager()));
                    return WeightedLoss.of(logits, batch.targetsArray(model.manager()), batch.weightsArray(model.manager()), batch.predicted());
                }, cfg.lrAt(step));
                if (!r.applied()) {
                    log.printf("step %d refused: %s%n", step, r.refusal());
                    continue;
                }
                emaLoss = Double.isNaN(emaLoss) ? r.loss() : 0.95 * emaLoss + 0.05 * r.loss();
                if (step % 25 == 0 || step == cfg.steps()) {
                    double secs = (System.nanoTime() - trainStart) / 1e9;
                    double tps = (double) step * cfg.batch() * cfg.seqLen() / secs;
                    log.printf("step %5d/%d  loss %.3f  lr %.2e  %.0f tok/s  elapsed %.0f s  eta %.0f s%n",
                            step, cfg.steps(), emaLoss, cfg.lrAt(step), tps, secs, secs / step * (cfg.steps() - step));
                }
                if (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0 && step < cfg.steps()) {
                    evaluate(model, world, 60, log);
                }
            }
            double trainSecs = (System.nanoTime() - trainStart) / 1e9;
            double[] q = evaluate(model, world, 200, log);
            model.save(outDir, DType.F16);
            double total = (System.nanoTime() - t0) / 1e9;
            Report report = new Report(model.weights().parameterCount(), cfg.steps(), total,
                    (double) cfg.steps() * cfg.batch() * cfg.seqLen() / trainSecs, emaLoss, q[0], q[1], q[2]);
            writeReport(outDir, cfg, size, report);
            log.printf("done in %.0f s: held-out perplexity %.2f, QA exact match %.1f%% (trained questions), %.1f%% (held-out questions)%n",
                    total, q[0], 100 * q[1], 100 * q[2]);
            return report;
        }
    }

    /** Held-out perplexity, and exact match on trained and on held-out questions (first {@code n} of each). */
    private static double[] evaluate(LanguageModel model, World world, int n, PrintStream log) {
        double ppl = QaEval.perplexity(model, Adaptation.NONE, head(world.heldOutTexts(), n));
        double trained = QaEval.evaluate(model, Adaptation.NONE, head(world.pretrainingQa(), n)).exactMatch();
        double held = QaEval.evaluate(model, Adaptation.NONE, head(world.heldOutQa(), n)).exactMatch();
        log.printf("  eval: held-out perplexity %.2f, QA exact match %.1f%% trained / %.1f%% held-out%n", ppl, 100 * trained, 100 * held);
        return new double[] {ppl, trained, held};
    }

    private static <T> List<T> head(List<T> list, int n) {
        return list.subList(0, Math.min(n, list.size()));
    }

    private static void writeReport(Path dir, PretrainConfig cfg, WorldSize size, Report r) throws IOException {
        JsonObject o = new JsonObject();
        o.add("config", new GsonBuilder().create().toJsonTree(cfg));
        o.add("world_size", new GsonBuilder().create().toJsonTree(size));
        o.add("result", new GsonBuilder().create().toJsonTree(r));
        o.addProperty("threads", Runtime.getRuntime().availableProcessors());
        o.addProperty("java", System.getProperty("java.version"));
        Files.writeString(dir.resolve("training.json"), new GsonBuilder().setPrettyPrinting().create().toJson(o));
    }

    /**
     * Packs texts, each preceded by EOS, into fixed-length windows; reshuffles the texts every epoch.
     */
    static final class Packer {
        private final List<int[]> texts;
        private final int eos;
        private final int window;
        private final Random rng;
        private final List<Integer> order = new ArrayList<>();
        private int nextText;
        private int[] buffer = new int[0];
        private int pos;

        Packer(List<int[]> texts, int eos, int window, long seed) {
            this.texts = texts;
            this.eos = eos;
            this.window = window;
            this.rng = new Random(seed);
            for (int i = 0; i < texts.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, rng);
        }

        int[] next() {
            int[] out = new int[window];
            int filled = 0;
            while (filled < window) {
                if (pos == buffer.length) {
                    refill();
                }
                int n = Math.min(window - filled, buffer.length - pos);
                System.arraycopy(buffer, pos, out, filled, n);
                filled += n;
                pos += n;
            }
            return out;
        }

        private void refill() {
            if (nextText == order.size()) {
                Collections.shuffle(order, rng);
                nextText = 0;
            }
            int[] t = texts.get(order.get(nextText++));
            buffer = new int[t.length + 1];
            buffer[0] = eos;
            System.arraycopy(t, 0, buffer, 1, t.length);
            pos = 0;
        }
    }
}
