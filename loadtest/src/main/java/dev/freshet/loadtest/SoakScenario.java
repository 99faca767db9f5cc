package dev.freshet.loadtest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.loadtest.internal.Api;
import dev.freshet.loadtest.internal.Feeder;
import dev.freshet.loadtest.internal.Load;
import dev.freshet.loadtest.internal.MetricsSampler;
import dev.freshet.loadtest.internal.Plot;
import dev.freshet.loadtest.internal.Report;
import dev.freshet.loadtest.internal.ServedTracker;
import dev.freshet.loadtest.internal.Stats;
import dev.freshet.loadtest.internal.Table;
import dev.freshet.loadtest.internal.Trend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * {@code bench soak}: a bounded long run of mixed documents, edits and queries over several tenants,
 * sampling the server's memory from {@code /metrics}. It fails if any record produced is never served,
 * or if resident or native memory still grows after warm-up.
 *
 * <p>The memory verdict: the first half of the run is warm-up (JIT, arenas, caches filling). Over the
 * second half, the Theil–Sen slope of each series (robust to GC sawtooth and to one large allocation)
 * times the half's length is the growth the trend explains; memory is flat when that is within
 * {@code tolerance} of the series' median or {@code minGrowthMiB}, whichever is larger. Heap is shown
 * but not judged: a collector may legitimately let it climb until its next cycle. A run shorter than
 * {@link #MEMORY_JUDGED_FROM} is not judged on memory at all: its second half is still warm-up.
 */
public final class SoakScenario {

    /**
     * The shortest run whose memory is judged. On the default model warm-up lasts about five minutes (native memory
     * steps up while the edit tenant's replayed rounds are long, then stays flat), so the second half of a shorter run
     * can be warm-up: four of five 2.5-minute runs and one of four 8-minute runs "grew" there, the one 12-minute run
     * was flat (README, Load scenarios).
     */
    public static final Duration MEMORY_JUDGED_FROM = Duration.ofMinutes(10);

    /** Whether a run of these settings is long enough for its memory verdict to mean anything. */
    static boolean judgesMemory(Settings s) {
        return s.length().compareTo(MEMORY_JUDGED_FROM) >= 0;
    }

    /**
     * @param length how long load runs (records and queries), before the drain
     * @param sample how often {@code /metrics} is scraped
     * @param recordRate records per second across all tenants
     * @param tenants how many tenants the records and queries spread over
     * @param editEvery every n-th record an edit (0: documents only)
     * @param queryConcurrency closed-loop query clients
     * @param queryPause each client's pause between queries, so the trainer is not starved outright
     * @param tolerance allowed second-half growth as a fraction of the median
     * @param minGrowthMiB allowed second-half growth in MiB at least (noise floor for small processes)
     * @param drain the longest wait, after load stops, for every record to be served
     */
    public record Settings(Duration length, Duration sample, double recordRate, int tenants, int editEvery, int queryConcurrency,
            Duration queryPause, double tolerance, int minGrowthMiB, Duration drain) {
        public Settings {
            if (length.toSeconds() < 20 || length.toHours() > 24 || sample.toMillis() < 200 || !(recordRate > 0) || recordRate > 100
                    || tenants < 1 || tenants > 16 || editEvery < 0 || queryConcurrency < 0 || queryConcurrency > 64 || queryPause.isNegative()
                    || !(tolerance > 0) || minGrowthMiB < 0 || drain.toSeconds() < 1) {
                throw new IllegalArgumentException("soak settings out of range: length 20 s..24 h, sample >= 200 ms, recordRate (0, 100], "
                        + "tenants 1..16, queryConcurrency 0..64, tolerance > 0");
            }
            if (length.dividedBy(2).compareTo(sample.multipliedBy(8)) < 0) {
                throw new IllegalArgumentException("the second half of the soak needs at least 8 samples: lengthen it or sample more often");
            }
        }

        /** 30 minutes (the soak), sampled every 5 s. */
        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(30), Duration.ofSeconds(5), 1, 2, 4, 2, Duration.ofMillis(100), 0.05, 32,
                    Duration.ofSeconds(120));
        }

        /** Two and a half minutes, sampled every 2 s: finishes, with start-up and the longest drain, in under five. */
        public static Settings quick() {
            return defaults().withLength(Duration.ofSeconds(150)).withSample(Duration.ofSeconds(2)).withDrain(Duration.ofSeconds(45));
        }

        public Settings withLength(Duration d) {
            return new Settings(d, sample, recordRate, tenants, editEvery, queryConcurrency, queryPause, tolerance, minGrowthMiB, drain);
        }

        public Settings withSample(Duration d) {
            return new Settings(length, d, recordRate, tenants, editEvery, queryConcurrency, queryPause, tolerance, minGrowthMiB, drain);
        }

        public Settings withDrain(Duration d) {
            return new Settings(length, sample, recordRate, tenants, editEvery, queryConcurrency, queryPause, tolerance, minGrowthMiB, d);
        }
    }

    private record Rec(String key, String tenant, long producedMs) {}

    private SoakScenario() {}

    public static Outcome run(Target target, Settings s, Corpus texts, Path outDir, PrintStream out) throws IOException, InterruptedException {
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < s.tenants(); i++) {
            tenants.add("bench-soak-" + run + "-" + i);
        }
        List<Rec> recs = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = new ArrayList<>();
        long t0 = System.currentTimeMillis();
        long origin = System.nanoTime();
        List<ServedTracker> trackers = new ArrayList<>();
        try (Api api = new Api(target.http()); Feeder feeder = new Feeder(target.bootstrap(), target.topics());
                MetricsSampler metrics = new MetricsSampler(api, s.sample())) {
            tenants.forEach(t -> trackers.add(new ServedTracker(api, t, Duration.ofMillis(250))));
            out.printf("soak: %d s of %s records/s over %d tenants and %d query clients; /metrics every %d s%n", s.length().toSeconds(),
                    Table.format(s.recordRate()), s.tenants(), s.queryConcurrency(), s.sample().toSeconds());
            Thread producer = new Thread(() -> produce(feeder, texts, tenants, s, recs), "freshet-load-soak-producer");
            producer.setDaemon(true);
            producer.start();
            Load.Run queries = s.queryConcurrency() == 0 ? new Load.Run(List.of(), 0, s.length().toSeconds())
                    : Load.closed(queries(api, texts, tenants, trackers, s), s.queryConcurrency(), s.length(), origin);
            producer.interrupt();
            producer.join(30_000);
            out.printf("soak: load stopped after %d records and %d queries; waiting up to %d s for every record to be served%n", recs.size(),
                    queries.samples().size(), s.drain().toSeconds());
            List<Rec> all = List.copyOf(recs);
            for (int i = 0; i < tenants.size(); i++) {
                String t = tenants.get(i);
                trackers.get(i).awaitAll(all.stream().filter(r -> r.tenant().equals(t)).map(Rec::key).toList(), s.drain());
            }
            List<String> unserved = all.stream().filter(r -> !tracker(trackers, tenants, r.tenant()).served(r.key())).map(Rec::key).toList();
            List<String> lost = all.stream().filter(r -> !tracker(trackers, tenants, r.tenant()).covered(r.key())).map(Rec::key).toList();
            if (!lost.isEmpty()) {
                failures.add(lost.size() + " of " + all.size() + " records lost (in no adapter version): " + lost.subList(0, Math.min(5, lost.size())));
            }
            if (unserved.size() > lost.size()) {
                out.printf("soak: %d records applied but held back by the quality gate (in rejected versions only)%n", unserved.size() - lost.size());
            }
            List<MetricsSampler.Sample> samples = new ArrayList<>(metrics.samples());
            samples.removeIf(x -> x.atMs() > t0 + s.length().toMillis()); // judge the loaded run, not the drain
            return report(s, tenants, trackers, all, unserved, lost, queries, samples, failures, t0, outDir, out);
        } finally {
            trackers.forEach(ServedTracker::close);
        }
    }

    private static ServedTracker tracker(List<ServedTracker> trackers, List<String> tenants, String tenant) {
        return trackers.get(tenants.indexOf(tenant));
    }

    private static void produce(Feeder feeder, Corpus texts, List<String> tenants, Settings s, List<Rec> recs) {
        long start = System.nanoTime();
        try {
            for (long i = 0; ; i++) {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, start + (long) (i * 1e9 / s.recordRate()) - System.nanoTime()));
                String tenant = tenants.get((int) (i % tenants.size()));
                Feeder.Sent sent = s.editEvery() > 0 && i % s.editEvery() == s.editEvery() - 1 ? feeder.edit(tenant, texts.edit(i))
                        : feeder.document(tenant, texts.document(i));
                recs.add(new Rec(sent.key(), tenant, sent.producedAtMs()));
            }
        } catch (InterruptedException | IllegalStateException e) {
            // stopped: the record being sent when interrupted was not counted as produced
        }
    }

    /** Queries alternate completions and scores, on a tenant once it has a served version, else on the base model. */
    private static Load.Request queries(Api api, Corpus texts, List<String> tenants, List<ServedTracker> trackers, Settings s) {
        return new Load.Request() {
            @Override
            public String route(long i) {
                return i % 2 == 0 ? "completions" : "score";
            }

            @Override
            public Api.Reply send(long i) {
                try {
                    Thread.sleep(s.queryPause().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                int t = (int) (i / 2 % tenants.size());
                String model = trackers.get(t).swaps().isEmpty() ? "base" : tenants.get(t);
                String[] q = texts.query(i % 512);
                return i % 2 == 0 ? api.complete(model, q[0], 16) : api.score(model, q[0], q[1]);
            }
        };
    }

    private record Verdict(String series, double startMiB, double endMiB, double slopeMiBPerMin, double olsMiBPerMin, double growthMiB,
            double allowedMiB, boolean judged) {
        boolean flat() {
            return !judged || !(growthMiB > allowedMiB);
        }
    }

    private static Verdict verdict(String name, List<MetricsSampler.Sample> all, ToDoubleFunction<MetricsSampler.Sample> f, Settings s,
            long t0, boolean judged) {
        List<MetricsSampler.Sample> half = all.stream().filter(x -> x.atMs() >= t0 + s.length().toMillis() / 2).toList();
        double[] x = half.stream().mapToDouble(v -> (v.atMs() - t0) / 1000.0).toArray();
        double[] y = half.stream().mapToDouble(v -> f.applyAsDouble(v) / (1 << 20)).toArray();
        double slope = Trend.theilSen(x, y);
        double ols = Trend.leastSquares(x, y);
        double growth = slope * (x.length < 2 ? 0 : x[x.length - 1] - x[0]);
        double allowed = Math.max(s.minGrowthMiB(), s.tolerance() * Stats.of(y).p50());
        double start = all.isEmpty() ? Double.NaN : f.applyAsDouble(all.get(0)) / (1 << 20);
        double end = all.isEmpty() ? Double.NaN : f.applyAsDouble(all.get(all.size() - 1)) / (1 << 20);
        return new Verdict(name, start, end, slope * 60, ols * 60, growth, allowed, judged);
    }

    private static Outcome report(Settings s, List<String> tenants, List<ServedTracker> trackers, List<Rec> all, List<String> unserved, List<String> lost,
            Load.Run queries, List<MetricsSampler.Sample> samples, List<String> failures, long t0, Path outDir, PrintStream out)
            throws IOException {
        boolean judge = judgesMemory(s);
        List<Verdict> verdicts = List.of(verdict("resident (RSS)", samples, MetricsSampler.Sample::rss, s, t0, judge),
                verdict("native (RSS - JVM committed)", samples, MetricsSampler.Sample::nativeEstimate, s, t0, judge),
                verdict("JVM heap used", samples, MetricsSampler.Sample::heapUsed, s, t0, false));
        if (judge && samples.stream().filter(x -> x.atMs() >= t0 + s.length().toMillis() / 2).count() < 8) {
            failures.add("fewer than 8 memory samples in the second half: /metrics was not reachable");
        }
        Table mem = new Table("memory", "start MiB", "end MiB", "slope MiB/min", "OLS MiB/min", "2nd-half growth MiB", "allowed MiB", "verdict");
        for (Verdict v : verdicts) {
            mem.row(v.series(), v.startMiB(), v.endMiB(), v.slopeMiBPerMin(), v.olsMiBPerMin(), v.growthMiB(), v.allowedMiB(),
                    !v.judged() ? "shown only" : v.flat() ? "flat" : "GROWING");
            if (!v.flat()) {
                failures.add(v.series() + " grows after warm-up: " + Table.format(v.growthMiB()) + " MiB over the second half (allowed "
                        + Table.format(v.allowedMiB()) + ")");
            }
        }
        double dead = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).deadLettered() - samples.get(0).deadLettered();
        List<Double> fresh = new ArrayList<>();
        for (Rec r : all) {
            Long at = tracker(trackers, tenants, r.tenant()).servedAtMs(r.key());
            if (at != null) {
                fresh.add((at - r.producedMs()) / 1000.0);
            }
        }
        Stats freshness = Stats.of(fresh);
        Stats latency = Stats.of(queries.samples().stream().filter(q -> q.status() == 200).mapToDouble(q -> q.nanos() / 1e6).toArray());
        long failed = queries.samples().stream().filter(q -> q.status() != 200 && q.status() != 429).count();
        if (failed > 0) {
            failures.add(failed + " queries failed (not 200, not 429)");
        }
        Table work = new Table("load", "count", "ok / served", "gate-held", "lost / failed", "p50", "p95", "p99", "max");
        work.row("records (freshness s)", all.size(), all.size() - unserved.size(), unserved.size() - lost.size(), lost.size(), freshness.p50(),
                freshness.p95(), freshness.p99(), freshness.max());
        work.row("queries (latency ms)", queries.samples().size(), latency.count(), "-", failed, latency.p50(), latency.p95(), latency.p99(),
                latency.max());
        String text = mem.render() + (judge ? "" : String.format("memory not judged: a run under %d minutes can end inside warm-up; use --minutes %d or more%n",
                MEMORY_JUDGED_FROM.toMinutes(), MEMORY_JUDGED_FROM.toMinutes() + 2)) + "\n" + work.render()
                + String.format("%d samples over %d s; records dead-lettered during the run: %.0f%n", samples.size(), s.length().toSeconds(), dead);

        ObjectNode json = Report.newJson("soak");
        json.putObject("settings").put("length_s", s.length().toSeconds()).put("sample_s", s.sample().toSeconds()).put("record_rate", s.recordRate())
                .put("tenants", s.tenants()).put("query_concurrency", s.queryConcurrency()).put("tolerance", s.tolerance())
                .put("min_growth_mib", s.minGrowthMiB()).put("memory_judged", judge);
        json.put("produced", all.size()).put("served", all.size() - unserved.size()).put("gate_held", unserved.size() - lost.size())
                .put("lost", lost.size()).put("all_served", unserved.isEmpty()).put("dead_lettered", dead);
        json.set("freshness_s", freshness.toJson());
        json.set("query_latency_ms", latency.toJson());
        ArrayNode v = json.putArray("memory");
        for (Verdict d : verdicts) {
            v.addObject().put("series", d.series()).put("start_mib", d.startMiB()).put("end_mib", d.endMiB()).put("slope_mib_per_min", d.slopeMiBPerMin())
                    .put("ols_mib_per_min", d.olsMiBPerMin()).put("second_half_growth_mib", d.growthMiB()).put("allowed_mib", d.allowedMiB())
                    .put("judged", d.judged()).put("flat", d.flat());
        }
        ArrayNode sm = json.putArray("samples");
        samples.forEach(x -> sm.addObject().put("t_s", (x.atMs() - t0) / 1000.0).put("rss", x.rss()).put("heap_used", x.heapUsed())
                .put("jvm_committed", x.jvmCommitted()).put("native_estimate", x.nativeEstimate()).put("steps", x.steps()));

        Plot plot = new Plot();
        double[] ts = samples.stream().mapToDouble(x -> (x.atMs() - t0) / 1000.0).toArray();
        plot.panel("memory", "(MiB)").line("resident (RSS)", Plot.PALETTE[0], ts, samples.stream().mapToDouble(x -> x.rss() / (1 << 20)).toArray())
                .line("native estimate", Plot.PALETTE[1], ts, samples.stream().mapToDouble(x -> x.nativeEstimate() / (1 << 20)).toArray())
                .line("JVM heap used", Plot.PALETTE[2], ts, samples.stream().mapToDouble(x -> x.heapUsed() / (1 << 20)).toArray());
        List<Load.Sample> ok = queries.samples().stream().filter(q -> q.status() == 200).toList();
        Map<String, List<Load.Sample>> byRoute = ok.stream().collect(Collectors.groupingBy(Load.Sample::route));
        Plot.Panel lat = plot.panel("query latency", "(ms, by send time)");
        int c = 0;
        for (Map.Entry<String, List<Load.Sample>> e : byRoute.entrySet()) {
            lat.points(e.getKey(), Plot.PALETTE[c++], e.getValue().stream().mapToDouble(q -> q.dueNanos() / 1e9).toArray(),
                    e.getValue().stream().mapToDouble(q -> q.nanos() / 1e6).toArray());
        }
        List<Rec> served = all.stream().filter(r -> tracker(trackers, tenants, r.tenant()).served(r.key())).toList();
        plot.panel("freshness", "(seconds, by produce time)").points("records", Plot.PALETTE[3],
                served.stream().mapToDouble(r -> (r.producedMs() - t0) / 1000.0).toArray(),
                served.stream().mapToDouble(r -> (tracker(trackers, tenants, r.tenant()).servedAtMs(r.key()) - r.producedMs()) / 1000.0).toArray());
        return Report.finish("soak", json, text, failures, plot, outDir, out);
    }
}
