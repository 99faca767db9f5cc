package dev.freshet.loadtest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.loadtest.internal.Api;
import dev.freshet.loadtest.internal.Feeder;
import dev.freshet.loadtest.internal.Load;
import dev.freshet.loadtest.internal.MetricsSampler;
import dev.freshet.loadtest.internal.Plot;
import dev.freshet.loadtest.internal.Report;
import dev.freshet.loadtest.internal.Stats;
import dev.freshet.loadtest.internal.Table;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench serving}: latency of {@code /v1/completions} and {@code /v1/score} (alternating), closed loop
 * and open loop, first on an idle trainer and then while a stream of documents keeps it training. Reports
 * throughput and p50/p95/p99 per phase and the inflation: p99 with training over p99 without.
 *
 * <p>The training phases start once the trainer has taken a step, and each phase records how many steps
 * it saw, so a small inflation cannot hide a trainer that never ran. Latencies are of successful requests;
 * 429s, other errors and (open loop) requests dropped past the outstanding limit are counted beside them.
 */
public final class ServingScenario {

    /**
     * @param model the tenant or {@code base} the requests name
     * @param concurrency closed-loop clients
     * @param rate open-loop requests per second; 0 picks half the idle closed-loop throughput
     * @param phase length of each measured phase (four of them)
     * @param warmup unmeasured closed-loop load first (JIT, connection set-up)
     * @param maxTokens tokens per completion
     * @param trainRate documents per second the training stream produces
     * @param maxOutstanding open-loop requests in flight before due ones are dropped
     */
    public record Settings(String model, int concurrency, double rate, Duration phase, Duration warmup, int maxTokens, double trainRate,
            int maxOutstanding) {
        public Settings {
            Objects.requireNonNull(model, "model");
            if (concurrency < 1 || concurrency > 256 || rate < 0 || rate > 1000 || maxTokens < 1 || !(trainRate > 0) || trainRate > 100
                    || maxOutstanding < 1 || maxOutstanding > 1024) {
                throw new IllegalArgumentException("concurrency 1..256, rate 0..1000, maxTokens >= 1, trainRate (0, 100], maxOutstanding 1..1024");
            }
            if (phase.toSeconds() < 2 || phase.toMinutes() > 30 || warmup.isNegative()) {
                throw new IllegalArgumentException("phase 2 s..30 min, warmup >= 0");
            }
        }

        /** About two minutes: four 20 s phases at concurrency 4. */
        public static Settings quick() {
            return new Settings("base", 4, 0, Duration.ofSeconds(20), Duration.ofSeconds(5), 16, 4, 64);
        }

        public static Settings defaults() {
            return new Settings("base", 8, 0, Duration.ofSeconds(60), Duration.ofSeconds(10), 16, 4, 128);
        }
    }

    private ServingScenario() {}

    public static Outcome run(Target target, Settings s, Corpus texts, Path outDir, PrintStream out) throws IOException, InterruptedException {
        String run = Long.toString(System.currentTimeMillis(), 36);
        long origin = System.nanoTime();
        long t0 = System.currentTimeMillis();
        Map<String, Load.Run> runs = new LinkedHashMap<>();
        Map<String, Double> steps = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try (Api api = new Api(target.http()); MetricsSampler metrics = new MetricsSampler(api, Duration.ofSeconds(1))) {
            Load.Request req = requests(api, s, texts);
            out.printf("serving: model %s, closed loop x%d, %d s phases, training stream %s docs/s%n", s.model(), s.concurrency(),
                    s.phase().toSeconds(), Table.format(s.trainRate()));
            Load.closed(req, s.concurrency(), s.warmup(), origin);
            measure(runs, steps, metrics, "closed, idle", () -> Load.closed(req, s.concurrency(), s.phase(), origin), out);
            double rate = s.rate() > 0 ? s.rate() : Math.max(0.5, runs.get("closed, idle").throughput() / 2);
            measure(runs, steps, metrics, "open, idle", () -> Load.open(req, rate, s.phase(), s.maxOutstanding(), origin), out);
            try (TrainingStream stream = new TrainingStream(target, "bench-train-" + run, texts, s.trainRate())) {
                double before = metrics.sampleNow().steps();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (metrics.sampleNow().steps() == before && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                if (metrics.sampleNow().steps() == before) {
                    failures.add("the trainer took no step within 60 s of the training stream starting");
                }
                measure(runs, steps, metrics, "closed, training", () -> Load.closed(req, s.concurrency(), s.phase(), origin), out);
                measure(runs, steps, metrics, "open, training", () -> Load.open(req, rate, s.phase(), s.maxOutstanding(), origin), out);
                if (stream.error() != null) {
                    failures.add("training stream failed: " + stream.error());
                }
            }
            return report(s, rate, runs, steps, metrics.samples(), failures, t0, outDir, out);
        }
    }

    /** Even request numbers are completions, odd ones scores, over a fixed set of 512 prompts. */
    private static Load.Request requests(Api api, Settings s, Corpus texts) {
        return new Load.Request() {
            @Override
            public String route(long i) {
                return i % 2 == 0 ? "completions" : "score";
            }

            @Override
            public Api.Reply send(long i) {
                String[] q = texts.query(i % 512);
                return i % 2 == 0 ? api.complete(s.model(), q[0], s.maxTokens()) : api.score(s.model(), q[0], q[1]);
            }
        };
    }

    private interface Phase {
        Load.Run run() throws InterruptedException;
    }

    private static void measure(Map<String, Load.Run> runs, Map<String, Double> steps, MetricsSampler metrics, String name, Phase phase,
            PrintStream out) throws IOException, InterruptedException {
        double before = metrics.sampleNow().steps();
        Load.Run r = phase.run();
        steps.put(name, metrics.sampleNow().steps() - before);
        runs.put(name, r);
        out.printf("serving: %s: %d requests, %.1f/s%n", name, r.samples().size(), r.throughput());
    }

    private static Outcome report(Settings s, double rate, Map<String, Load.Run> runs, Map<String, Double> steps, List<MetricsSampler.Sample> samples,
            List<String> failures, long t0, Path outDir, PrintStream out) throws IOException {
        Table table = new Table("phase", "requests", "ok", "429", "errors", "dropped", "ok/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "train steps");
        ObjectNode json = Report.newJson("serving");
        json.putObject("settings").put("model", s.model()).put("concurrency", s.concurrency()).put("open_rate", rate)
                .put("phase_s", s.phase().toSeconds()).put("max_tokens", s.maxTokens()).put("train_rate", s.trainRate());
        ArrayNode phases = json.putArray("phases");
        Map<String, Stats> stats = new LinkedHashMap<>();
        for (Map.Entry<String, Load.Run> e : runs.entrySet()) {
            Load.Run r = e.getValue();
            Stats st = Stats.of(r.samples().stream().filter(x -> x.status() == 200).mapToDouble(x -> x.nanos() / 1e6).toArray());
            stats.put(e.getKey(), st);
            long ok = st.count();
            long tooMany = r.samples().stream().filter(x -> x.status() == 429).count();
            long errors = r.samples().size() - ok - tooMany;
            table.row(e.getKey(), r.samples().size(), ok, tooMany, errors, r.dropped(), r.throughput(), st.p50(), st.p95(), st.p99(), st.max(),
                    (double) Math.round(steps.get(e.getKey())));
            ObjectNode p = phases.addObject().put("phase", e.getKey()).put("requests", r.samples().size()).put("ok", ok).put("status_429", tooMany)
                    .put("errors", errors).put("dropped", r.dropped()).put("ok_per_s", r.throughput()).put("train_steps", steps.get(e.getKey()));
            p.set("latency_ms", st.toJson());
            for (String route : List.of("completions", "score")) {
                p.set(route + "_latency_ms", Stats.of(r.samples().stream().filter(x -> x.status() == 200 && x.route().equals(route))
                        .mapToDouble(x -> x.nanos() / 1e6).toArray()).toJson());
            }
            if (errors > 0) {
                failures.add(e.getKey() + ": " + errors + " requests failed (not 200, not 429)");
            }
        }
        double closed = stats.get("closed, training").p99() / stats.get("closed, idle").p99();
        double open = stats.get("open, training").p99() / stats.get("open, idle").p99();
        ObjectNode inflation = json.putObject("p99_inflation");
        inflation.put("closed", closed).put("open", open);
        String text = table.render() + String.format("p99 inflation while training (p99 with / p99 without): closed loop %s×, open loop %s× (at %s req/s)%n",
                Table.format(closed), Table.format(open), Table.format(rate));
        for (String phase : List.of("closed, training", "open, training")) {
            if (steps.get(phase) < 1) {
                // Not a failure: training yields to serving by design. But an inflation without training is no measurement.
                text += "note: no training step ran during '" + phase + "': the trainer yielded to serving the whole phase, so its ratio "
                        + "measures no training\n";
            }
        }

        Plot plot = new Plot();
        Plot.Panel lat = plot.panel("request latency (successful requests)", "(ms, by send time)");
        int c = 0;
        for (Map.Entry<String, Load.Run> e : runs.entrySet()) {
            List<Load.Sample> ok = e.getValue().samples().stream().filter(x -> x.status() == 200).toList();
            lat.points(e.getKey(), Plot.PALETTE[c++ % Plot.PALETTE.length], ok.stream().mapToDouble(x -> x.dueNanos() / 1e9).toArray(),
                    ok.stream().mapToDouble(x -> x.nanos() / 1e6).toArray());
        }
        plot.panel("training progress", "(adaptation steps, cumulative)").line("steps", Plot.PALETTE[1],
                samples.stream().mapToDouble(x -> (x.atMs() - t0) / 1000.0).toArray(), samples.stream().mapToDouble(MetricsSampler.Sample::steps).toArray());
        return Report.finish("serving", json, text, failures, plot, outDir, out);
    }

    /** Produces documents to one tenant at a fixed rate on a named thread until closed. */
    private static final class TrainingStream implements AutoCloseable {
        private final Feeder feeder;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile String error;

        TrainingStream(Target target, String tenant, Corpus texts, double rate) {
            feeder = new Feeder(target.bootstrap(), target.topics());
            thread = new Thread(() -> {
                long start = System.nanoTime();
                for (long i = 0; running; i++) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(Math.max(0, start + (long) (i * 1e9 / rate) - System.nanoTime()));
                        feeder.document(tenant, texts.document(1_000_000 + i));
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        if (running) { // an interrupted send while closing is no failure
                            error = e.toString();
                        }
                        return;
                    }
                }
            }, "freshet-load-train-stream");
            thread.setDaemon(true);
            thread.start();
        }

        String error() {
            return error;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(10_000);
            feeder.close();
        }
    }
}
