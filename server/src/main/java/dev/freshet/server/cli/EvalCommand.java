package dev.freshet.server.cli;

import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.editing.EditSettings;
import dev.freshet.adaptation.eval.EditsEval;
import dev.freshet.adaptation.eval.EvalData;
import dev.freshet.adaptation.eval.EvalTable;
import dev.freshet.adaptation.eval.ForgettingEval;
import dev.freshet.adaptation.eval.UptakeEval;
import dev.freshet.adaptation.eval.Weightings;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.adaptation.pretrain.PretrainConfig;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code eval uptake|edits|forgetting}: the evaluation harness of the three adaptation methods on the synthetic world
 * (or {@code --data DIR} in the same JSONL shapes), each printing one table (mean ± spread over seeds) and writing
 * JSON. Based on the evaluations of CaMeLS (arXiv 2305.15076), LocFT-BF (arXiv 2509.22072) and MWI
 * (arXiv 2211.03186). Run: {@code bin/freshet eval uptake --quick}.
 */
final class EvalCommand implements Command {

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "evaluate uptake (token weightings), edits (LocFT-BF vs FT) or forgetting (with/without MWI)";
    }

    @Override
    public String help() {
        UptakeEval.Settings u = UptakeEval.Settings.FULL;
        EditsEval.Settings e = EditsEval.Settings.FULL;
        ForgettingEval.Settings f = ForgettingEval.Settings.FULL;
        return """
            usage: bin/freshet eval uptake|edits|forgetting [--quick] [options]

            uptake      stream N documents through online learning with each token weighting; doc-question EM/F1,
                        old-world QA EM and perplexity
            edits       N sequential edits in windows: LocFT-BF (and with a retain set) vs depth-first FT vs full-layer FT; efficacy,
                        generalisation, locality over all edits, old-world perplexity
            forgetting  K windows of documents then edits, without and with MWI; last-window uptake, first-windows
                        retention, old-world accuracy
            Prints one table (mean ± sample std over seeds) and writes JSON.

              --quick               small sizes that finish in under 10 minutes on 2 cores
              --seeds N             seeds (default %d)
              --first-seed N        first seed (default 1): run seeds one by one, in parallel or after a stop
              --out FILE            JSON output (default out/eval-<name>.json under the current folder)
              --data DIR            JSONL folder from bin/freshet world --out DIR (default: generate the world)
              --world-seed N        world to generate without --data (default 1234, the bundled model's)
              --threads N           libtorch intra-op threads (default 1: measured 4-8x faster than 2 on a busy
                                    2-core machine; raise it on a quiet multi-core one)
              --lr X                learning rate: documents (uptake, forgetting; default %s) or edits (default %s)
            uptake:
              --documents N         documents per seed (default %d, quick %d)
              --weightings LIST     comma-separated (default %s); also oracle: weight only on the
                                    answers the questions ask for, an upper bound that reads them
              --optimizer NAME      adamw (default, the paper's test time) or sgd (meta-training's inner step)
              --steps-per-doc N     optimizer steps on each document before the next (default 1, the paper's)
              --adapter SPEC        e.g. delta:targets=c_attn+c_proj+c_fc or lora:r=8,alpha=16,targets=c_attn (default %s)
              --weighting DIR       meta-trained CaMeLS weighting model, e.g. a meta-train DIR/best (default: the
                                    bundled one when --model is the bundled model, else an UNTRAINED one,
                                    reported as such)
            edits:
              --edits N             edits (default %d, quick %d; capped at what the data holds)
              --window N            edits per window (default %d)
              --location MODULE     localized module (default %s); several joined by + (h.2.mlp.c_proj+h.3.mlp.c_proj)
                                    each get a delta, and with precond a metric of their own
              --epochs N            breadth-first epochs at most (default %d, quick %d; also forgetting's edits)
              --steps-per-edit N    depth-first steps per edit at most (default %d)
              --replay N            earlier edits replayed with each window at most (default %d)
              --stop-loss X         skip a batch, and stop a window, below this loss (default %s; also forgetting's edits)
              --arms LIST           locft,df,layer,retain,retain-old,precond (default all but retain-old; quick also
                                    without retain). retain needs documents in the data, retain-old held-out old-world
                                    questions (anchors about the old world's subjects); precond steps with SGD along the
                                    gradient preconditioned by the keys of held-out old-world and document questions
              --retain N            retain prompts per window of the retain arms (default %d)
              --key-ridge X         ridge of the precond arm's key preconditioner (default %s)
              --key-lr X            SGD learning rate of the precond arm (default %s)
            forgetting:
              --windows K           windows (default %d, quick %d)
              --docs-per-window N   (default %d, quick %d)
              --edits-per-window N  (default %d, quick %d)
              --doc-weighting NAME  document weighting, one of the uptake names (default camels when a meta-trained
                                    weighting model is at hand, else uniform)
              --tau X, --every N    MWI τ and N (default %s, %d)
              --reset LIST          MWI arms: never,per-window (default both; quick: never)
            """.formatted(u.seeds(), u.learningRate(), e.edit().learningRate(), u.documents(), UptakeEval.Settings.QUICK.documents(),
                String.join(",", TokenWeighting.NAMES), UptakeEval.describe(u.adapter()), e.edits(), EditsEval.Settings.QUICK.edits(), e.window(),
                e.location(), e.edit().maxEpochs(), EditsEval.Settings.QUICK.edit().maxEpochs(), e.edit().maxStepsPerEdit(), e.edit().replay(), e.edit().stopLoss(), e.retain(), e.keyRidge(), e.keyLearningRate(), f.windows(), ForgettingEval.Settings.QUICK.windows(), f.docsPerWindow(),
                ForgettingEval.Settings.QUICK.docsPerWindow(), f.editsPerWindow(), ForgettingEval.Settings.QUICK.editsPerWindow(), f.mwi().tau(), f.mwi().every())
                + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("seeds", "first-seed", "out", "data", "world-seed", "lr", "optimizer", "documents", "weightings", "adapter", "weighting", "edits", "window", "location",
                "epochs", "steps-per-doc", "steps-per-edit", "replay", "stop-loss", "arms", "retain", "key-ridge", "key-lr", "windows", "docs-per-window", "edits-per-window", "doc-weighting", "tau", "every", "reset", "threads", "model", "device");
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of("quick");
    }

    @Override
    public int run(Args a) throws Exception {
        if (a.positional().size() != 1) {
            throw new Args.UsageException("name one evaluation: uptake, edits or forgetting");
        }
        String which = a.positional().get(0);
        if (!List.of("uptake", "edits", "forgetting").contains(which)) {
            throw new Args.UsageException("unknown evaluation '" + which + "': use uptake, edits or forgetting");
        }
        boolean quick = a.has("quick");
        // Before the engine loads (Models.open): libtorch reads its thread count once. On a shared 2-core machine two
        // OpenMP threads spinning against other processes made a training step 4-8x slower than one thread did.
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(a.getInt("threads", 1)));
        long start = System.nanoTime();
        // One line per stage on stderr, each with the time since the start: the table alone goes to stdout.
        Consumer<String> progress = line -> System.err.printf("[%7.1f s] %s%n", (System.nanoTime() - start) / 1e9, line);
        if (a.has("data") && !Files.isDirectory(Path.of(a.get("data", "")))) {
            throw new Args.UsageException("--data " + a.get("data", "") + " is not a folder");
        }
        EvalData data = a.has("data") ? EvalData.read(Path.of(a.get("data", ""))) : EvalData.fromWorld(World.generate(a.getLong("world-seed", PretrainConfig.DEFAULT.seed()), WorldSize.DEFAULT));
        EvalTable table;
        try (LanguageModel model = Models.open(a)) {
            System.out.printf("eval %s%s on %s, model %s%n", which, quick ? " --quick" : "", data.source(), model.id());
            table = switch (which) {
                case "uptake" -> uptake(a, quick, model, data, progress);
                case "edits" -> edits(a, quick, model, data, progress);
                default -> forgetting(a, quick, model, data, progress);
            };
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        table.setting("quick", quick);
        table.setting("wall_seconds", String.format("%.1f", seconds));
        Path out = Path.of(a.get("out", "out/eval-" + which + ".json"));
        table.write(out);
        System.out.println();
        table.settings().forEach((k, v) -> System.out.printf("%s: %s%n", k, v));
        System.out.println();
        System.out.print(table.render());
        System.out.printf("%nwall time %.1f s; wrote %s%n", seconds, out);
        return 0;
    }

    private static EvalTable uptake(Args a, boolean quick, LanguageModel model, EvalData data, Consumer<String> progress) throws Exception {
        UptakeEval.Settings d = quick ? UptakeEval.Settings.QUICK : UptakeEval.Settings.FULL;
        UptakeEval.Settings s = new UptakeEval.Settings(a.getInt("documents", d.documents()), a.getInt("seeds", d.seeds()), a.getLong("first-seed", d.firstSeed()),
                a.has("adapter") ? AdapterSpec.parse(a.get("adapter", "")) : d.adapter(), a.get("optimizer", d.optimizer()),
                a.getFloat("lr", d.learningRate()), d.clipNorm(), d.oldQa(), d.oldTexts(), a.getInt("steps-per-doc", d.stepsPerDocument()));
        List<String> names = Arrays.stream(a.get("weightings", String.join(",", TokenWeighting.NAMES)).split(",")).map(String::trim).toList();
        try (Weightings w = Weightings.open(names, weightingModel(a), model, data)) {
            List<UptakeEval.Arm> arms = new ArrayList<>();
            for (String n : names) {
                arms.add(new UptakeEval.Arm(w.label(n), w.get(n)));
            }
            EvalTable t = UptakeEval.run(model, data, s, arms, progress);
            w.notes().forEach(t::note);
            return t;
        }
    }

    private static Path weightingModel(Args a) {
        return a.has("weighting") ? Path.of(a.get("weighting", "")) : null;
    }

    private static EvalTable edits(Args a, boolean quick, LanguageModel model, EvalData data, Consumer<String> progress) {
        EditsEval.Settings d = quick ? EditsEval.Settings.QUICK : EditsEval.Settings.FULL;
        EditSettings es = editSettings(a, d.edit().withLearningRate(a.getFloat("lr", d.edit().learningRate())));
        List<String> arms = Arrays.stream(a.get("arms", String.join(",", quick ? EditsEval.QUICK_ARMS : EditsEval.DEFAULT_ARMS)).split(",")).map(String::trim).toList();
        EditsEval.Settings s = new EditsEval.Settings(a.getInt("edits", d.edits()), a.getInt("window", d.window()), a.getInt("seeds", d.seeds()), a.getLong("first-seed", d.firstSeed()),
                es, a.get("location", d.location()), d.oldTexts(), a.getInt("retain", d.retain()), a.getDouble("key-ridge", d.keyRidge()), a.getFloat("key-lr", d.keyLearningRate()));
        return EditsEval.run(model, data, s, arms, progress);
    }

    /** The edit trainer's options shared by {@code edits} and {@code forgetting} (whose {@code --lr} is the documents'). */
    private static EditSettings editSettings(Args a, EditSettings d) {
        EditSettings es = d.withMaxEpochs(a.getInt("epochs", d.maxEpochs())).withMaxStepsPerEdit(a.getInt("steps-per-edit", d.maxStepsPerEdit()))
                .withReplay(a.getInt("replay", d.replay()));
        if (a.has("stop-loss")) {
            float stop = a.getFloat("stop-loss", d.stopLoss());
            es = es.withThresholds(stop, stop);
        }
        return es;
    }

    private static EvalTable forgetting(Args a, boolean quick, LanguageModel model, EvalData data, Consumer<String> progress) throws Exception {
        ForgettingEval.Settings d = quick ? ForgettingEval.Settings.QUICK : ForgettingEval.Settings.FULL;
        String reset = a.get("reset", String.join(",", d.resets().stream().map(r -> r.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList()));
        List<MwiSettings.ResetPolicy> resets = reset.isBlank() ? List.of() : Arrays.stream(reset.split(",")).map(MwiSettings.ResetPolicy::parse).toList();
        double tau;
        try {
            tau = Double.parseDouble(a.get("tau", Double.toString(d.mwi().tau())));
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--tau must be a number, got '" + a.get("tau", "") + "'");
        }
        MwiSettings mwi = new MwiSettings(tau, a.getInt("every", d.mwi().every()), d.mwi().reset());
        ForgettingEval.Settings s = new ForgettingEval.Settings(a.getInt("windows", d.windows()), a.getInt("docs-per-window", d.docsPerWindow()),
                a.getInt("edits-per-window", d.editsPerWindow()), a.getInt("seeds", d.seeds()), a.getLong("first-seed", d.firstSeed()), d.adapter(), a.getFloat("lr", d.docLearningRate()),
                d.clipNorm(), editSettings(a, d.edit()), a.get("location", d.location()), mwi, resets, d.oldQa(), d.oldTexts());
        String name = a.get("doc-weighting", Weightings.hasMetaTrained(weightingModel(a), model) ? "camels" : "uniform");
        try (Weightings w = Weightings.open(List.of(name), weightingModel(a), model, data)) {
            EvalTable t = ForgettingEval.run(model, data, s, w.get(name), progress);
            w.notes().forEach(t::note);
            return t;
        }
    }
}
