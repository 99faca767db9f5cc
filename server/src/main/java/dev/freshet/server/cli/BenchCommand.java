package dev.freshet.server.cli;

import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.bench.ModelBench;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.loadtest.Corpus;
import dev.freshet.loadtest.FreshnessScenario;
import dev.freshet.loadtest.Outcome;
import dev.freshet.loadtest.ServingScenario;
import dev.freshet.loadtest.SoakScenario;
import dev.freshet.loadtest.Target;
import dev.freshet.loadtest.TrainReport;
import dev.freshet.server.training.MwiScope;
import dev.freshet.streams.kafka.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code bench}: benchmarks and load scenarios. {@code train} measures the model in this process; the
 * others ({@code freshness}, {@code serving}, {@code soak}, from the loadtest module) load a server, the
 * one at {@code --url}/{@code --kafka} or else one started here for the run ({@link BenchServer}). Each
 * prints a table and writes JSON (and a PNG plot) under {@code --out}; the exit code is 1 when a
 * scenario's own checks fail (a record never served, memory growing), never because of a timing.
 */
final class BenchCommand implements Command {

    private static final List<String> SCENARIOS = List.of("train", "edits", "documents", "freshness", "serving", "soak");

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmarks and load scenarios: train, edits, documents, freshness, serving, soak";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet bench train|edits|documents|freshness|serving|soak [--quick] [options]

            train: this machine's fp32 matmul GFLOP/s (the ceiling), the default model's training step in
              tokens/s and as a fraction of that ceiling (all weights, and one localized delta), and greedy
              generation speed with and without the KV cache, measured in one run.
            edits: the server's edit learners (locft-bf, locft-keys, ft-bf) side by side in this process: world edits through
              the training worker, one version per --per-version records, each decided by the quality gate;
              efficacy, generalisation, locality and old-world accuracy of the served version.
            documents: the server's document training at several learning rates and weightings in this process: world documents
              through the training worker and the quality gate; what the served version learnt (the documents'
              held-out questions), what it lost (old world), and the share of records the gate let through.
            freshness: produce documents and edits and time each from produce to the first served adapter
              version containing it: single documents, then a ramp of rates; p50/p95/p99 per stage and the
              highest rate at which freshness does not climb.
            serving: /v1/completions and /v1/score, closed loop and open loop, without and then with a
              training stream; throughput, p50/p95/p99, and p99 inflation while training.
            soak: mixed records and queries over several tenants for --minutes; samples memory from
              /metrics; fails if resident or native memory grows after warm-up (runs of 10 minutes or
              more; shorter ones end inside warm-up and show memory only) or any record is lost.

            Without --url a server is started in this process (embedded broker, default model, temporary
            data dir) and stopped afterwards. --quick makes every scenario finish in a few minutes.

              --quick             short settings (each scenario under 5 minutes on 2 cores)
              --no-gate           the in-process server promotes every version without the quality gate
              --out DIR           where the JSON and PNG go (default freshet-bench)
              --url URL           a running server's HTTP base, e.g. http://127.0.0.1:8080 (loopback only)
              --kafka HOST:PORT   that server's broker (required with --url, except for train)
              --topic-prefix P    that server's topic prefix (default freshet)
              --minutes N         soak length (default 30; --quick: 2.5)
              --concurrency N     serving: closed-loop clients (default 8; --quick: 4)
              --rate R            serving: open-loop requests/s (default: half the closed-loop throughput)
              --seconds N         serving: length of each phase; freshness: length of each ramp stage
              --batch B           train: sequences per step (default 16)
              --seq-len T         train: tokens per sequence (default 128)
              --steps N           train: timed steps (default 10; --quick: 3)
              --edits N           edits: how many (default 100; --quick: 30); documents: world edits spread
                                  through the stream, their efficacy measured too (default 0)
              --per-version R     edits, documents: records per version (default 10; documents: 8)
              --methods LIST      edits: learners, comma-separated (default locft-bf,locft-keys,ft-bf)
              --locft-lr X, --locft-epochs N, --locft-stop X
                                  edits: locft-bf's learning rate, epochs at most, skip and stop loss
                                  (default 1e-3, 100, 0.1)
              --keys-lr X, --keys-epochs N
                                  edits: locft-keys' SGD learning rate and epochs at most (default 0.1, 100)
              --documents N       documents: how many (default 200; --quick: 48)
              --lrs LIST          documents: learning rates compared, comma-separated (default 1e-3,3e-4,1e-4;
                                  --quick: 1e-3,1e-4)
              --weightings LIST   documents: serve's weightings compared at every rate, comma-separated
                                  (uniform, salient-spans, tfidf, camels; default uniform)
              --adapter SPEC      edits: the tenant adapter, e.g. delta:targets=h.3.mlp.c_proj (default: serve's)
              --mwi-tau X, --mwi-every N, --mwi-reset never|per-version, --mwi-scope all|documents
                                  edits, documents: versions hold the MWI slow copy, as serve's options
                                  (default: off)
            """ + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("batch", "seq-len", "steps", "model", "device", "out", "url", "kafka", "topic-prefix", "minutes", "concurrency", "rate",
                "seconds", "edits", "documents", "lrs", "weightings", "per-version", "methods", "locft-lr",
                "locft-epochs", "locft-stop", "keys-lr", "keys-epochs", "adapter", "mwi-tau", "mwi-every", "mwi-reset", "mwi-scope");
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of("quick", "no-gate");
    }

    @Override
    public int run(Args a) throws Exception {
        if (a.positional().isEmpty() || !SCENARIOS.contains(a.positional().get(0))) {
            throw new Args.UsageException("name a scenario: " + String.join(", ", SCENARIOS));
        }
        String scenario = a.positional().get(0);
        Path out = Path.of(a.get("out", "freshet-bench"));
        Outcome outcome;
        if (scenario.equals("train")) {
            outcome = train(a, out);
        } else if (scenario.equals("edits")) {
            EditsBench.Settings d = a.has("quick") ? EditsBench.Settings.quick() : EditsBench.Settings.defaults();
            EditsBench.Settings s = new EditsBench.Settings(a.getInt("edits", d.edits()), a.getInt("per-version", d.perVersion()),
                    a.has("methods") ? List.of(a.get("methods", "").split(",")) : d.methods(), !a.has("no-gate"),
                    d.locft().withLearningRate(a.getFloat("locft-lr", d.locft().learningRate())).withMaxEpochs(a.getInt("locft-epochs", d.locft().maxEpochs()))
                            .withThresholds(a.getFloat("locft-stop", d.locft().skipLoss()), a.getFloat("locft-stop", d.locft().stopLoss())),
                    d.keys().withLearningRate(a.getFloat("keys-lr", d.keys().learningRate())).withMaxEpochs(a.getInt("keys-epochs", d.keys().maxEpochs())),
                    a.has("adapter") ? AdapterSpec.parse(a.get("adapter", null)) : null,
                    mwi(a, d.mwi()), scope(a, d.mwiScope()));
            try (LanguageModel m = Models.open(a)) {
                EditsBench.run(m, s, out, System.out);
            }
            return 0;
        } else if (scenario.equals("documents")) {
            DocumentsBench.Settings d = a.has("quick") ? DocumentsBench.Settings.quick() : DocumentsBench.Settings.defaults();
            DocumentsBench.Settings s = new DocumentsBench.Settings(a.getInt("documents", d.documents()), a.getInt("per-version", d.perVersion()),
                    a.has("lrs") ? floats(a.get("lrs", ""), "lrs") : d.learningRates(),
                    a.has("weightings") ? List.of(a.get("weightings", "").split(",")) : d.weightings(), !a.has("no-gate"), d.seed(),
                    mwi(a, d.mwi()), scope(a, d.mwiScope()), a.getInt("edits", d.edits()));
            try (LanguageModel m = Models.open(a)) {
                DocumentsBench.run(m, s, out, System.out);
            }
            return 0;
        } else if (a.has("url")) {
            if (!a.has("kafka")) {
                throw new Args.UsageException("--url needs --kafka HOST:PORT: the scenarios produce records to the server's broker");
            }
            outcome = load(scenario, Target.of(a.get("url", null), a.get("kafka", null), a.get("topic-prefix", Topics.DEFAULT_PREFIX)), a, out);
        } else {
            try (LanguageModel m = Models.open(a); BenchServer server = BenchServer.start(m, !a.has("no-gate"))) {
                outcome = load(scenario, server.target(), a, out);
            }
        }
        return outcome.passed() ? 0 : 1;
    }

    /** {@code --mwi-tau/--mwi-every/--mwi-reset}, as {@code serve} reads them, over {@code d}. */
    private static MwiSettings mwi(Args a, MwiSettings d) {
        return new MwiSettings(a.getFloat("mwi-tau", (float) d.tau()), a.getInt("mwi-every", d.every()),
                a.has("mwi-reset") ? MwiSettings.ResetPolicy.parse(a.get("mwi-reset", null)) : d.reset());
    }

    /** {@code --mwi-scope}, as {@code serve} reads it, over {@code d}. */
    private static MwiScope scope(Args a, MwiScope d) {
        return MwiScope.parse(a.get("mwi-scope", d.flag()));
    }

    private static List<Float> floats(String list, String option) {
        try {
            return Arrays.stream(list.split(",")).map(String::trim).map(Float::parseFloat).toList();
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--" + option + " takes comma-separated numbers, got '" + list + "'");
        }
    }

    private static Outcome train(Args a, Path out) throws Exception {
        try (LanguageModel m = Models.open(a)) {
            int steps = a.getInt("steps", a.has("quick") ? 3 : 10);
            int batch = a.getInt("batch", 16);
            int seqLen = Math.min(a.getInt("seq-len", 128), m.config().maxPositions() - 1);
            ModelBench.Result r = ModelBench.run(m, batch, seqLen, steps, System.out);
            return TrainReport.write(new TrainReport.Figures(batch, seqLen, steps, r.matmulGflops(), r.ceilingGflops(), r.trainTokensPerSec(),
                    r.trainGflops(), r.adapterTokensPerSec(), r.generateTokensPerSec(), r.generateNoCacheTokensPerSec()), out, System.out);
        }
    }

    private static Outcome load(String scenario, Target target, Args a, Path out) throws Exception {
        boolean quick = a.has("quick");
        PrintStream o = System.out;
        Corpus corpus = new WorldCorpus(Long.toString(System.currentTimeMillis(), 36));
        return switch (scenario) {
            case "freshness" -> {
                FreshnessScenario.Settings s = quick ? FreshnessScenario.Settings.quick() : FreshnessScenario.Settings.defaults();
                if (a.has("seconds")) {
                    s = new FreshnessScenario.Settings(s.singles(), s.rates(), Duration.ofSeconds(a.getInt("seconds", 10)), s.drain(), s.editEvery(),
                            s.poll(), s.maxTrend());
                }
                yield FreshnessScenario.run(target, s, corpus, out, o);
            }
            case "serving" -> {
                ServingScenario.Settings d = quick ? ServingScenario.Settings.quick() : ServingScenario.Settings.defaults();
                ServingScenario.Settings s = new ServingScenario.Settings(d.model(), a.getInt("concurrency", d.concurrency()),
                        a.getFloat("rate", (float) d.rate()), a.has("seconds") ? Duration.ofSeconds(a.getInt("seconds", 20)) : d.phase(), d.warmup(),
                        d.maxTokens(), d.trainRate(), d.maxOutstanding());
                yield ServingScenario.run(target, s, corpus, out, o);
            }
            case "soak" -> {
                SoakScenario.Settings s = quick ? SoakScenario.Settings.quick() : SoakScenario.Settings.defaults();
                if (a.has("minutes")) {
                    s = s.withLength(Duration.ofMinutes(a.getInt("minutes", 30)));
                }
                yield SoakScenario.run(target, s, corpus, out, o);
            }
            default -> throw new Args.UsageException("unknown scenario " + scenario);
        };
    }
}
