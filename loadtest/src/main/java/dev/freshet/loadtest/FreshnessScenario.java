package dev.freshet.loadtest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.loadtest.internal.Api;
import dev.freshet.loadtest.internal.Feeder;
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
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench freshness}: how long a new record takes to become answerable. Produces documents (and
 * edits) to a running server's topics and measures, per record, the seconds from its produce time to the
 * first time a served adapter version containing it is seen on {@code GET /v1/adapters/{tenant}}.
 *
 * <ol>
 *   <li><b>single</b>: one document at a time, each waited for: the freshness of a lone document;
 *   <li><b>ramp</b>: a stage per rate, producing at that rate for the stage length (every
 *       {@code editEvery}-th record an edit), then waiting for the stage's records. A stage is sustainable
 *       when all its records are served within the drain time and freshness does not climb during it
 *       (slope between the medians of its first and last thirds at most {@code maxTrend} seconds per
 *       second: see {@link Trend#thirds}); the
 *       ramp stops at the first stage that is not.
 * </ol>
 *
 * Every record must be served in the end; one that is not is reported as a failure.
 */
public final class FreshnessScenario {

    /**
     * @param singles documents produced one at a time
     * @param rates the ramp's rates, records per second, ascending
     * @param stage how long each ramp stage produces
     * @param drain the longest wait for a stage's (or a single's) records to be served
     * @param editEvery every n-th ramp record is an edit (0: documents only)
     * @param poll how often the served version is read: the resolution of every figure
     * @param maxTrend the largest climb of freshness, seconds per second of stage, still called sustainable
     */
    public record Settings(int singles, List<Double> rates, Duration stage, Duration drain, int editEvery, Duration poll, double maxTrend) {
        public Settings {
            rates = List.copyOf(rates);
            if (singles < 0 || editEvery < 0) {
                throw new IllegalArgumentException("singles and editEvery must be >= 0");
            }
            for (int i = 0; i < rates.size(); i++) {
                if (!(rates.get(i) > 0) || rates.get(i) > 100 || (i > 0 && rates.get(i) <= rates.get(i - 1))) {
                    throw new IllegalArgumentException("rates must be ascending, in (0, 100] records/s: " + rates);
                }
            }
            Objects.requireNonNull(stage, "stage");
            if (stage.toMillis() < 1000 || stage.toMinutes() > 30 || drain.toMillis() < 1000 || poll.toMillis() < 10 || !(maxTrend > 0)) {
                throw new IllegalArgumentException("stage 1 s..30 min, drain >= 1 s, poll >= 10 ms, maxTrend > 0");
            }
        }

        /** About a minute and a half on 2 cores (it is the CI smoke check): 3 singles, then 1 and 4 records/s for 8 s each. */
        public static Settings quick() {
            return new Settings(3, List.of(1.0, 4.0), Duration.ofSeconds(8), Duration.ofSeconds(45), 4, Duration.ofMillis(50), 0.1);
        }

        public static Settings defaults() {
            return new Settings(20, List.of(0.5, 1.0, 2.0, 4.0, 8.0, 16.0), Duration.ofSeconds(30), Duration.ofSeconds(90), 4,
                    Duration.ofMillis(50), 0.1);
        }
    }

    private record Rec(String key, String stage, long producedMs) {}

    private FreshnessScenario() {}

    public static Outcome run(Target target, Settings s, Corpus texts, Path outDir, PrintStream out) throws IOException, InterruptedException {
        String run = Long.toString(System.currentTimeMillis(), 36);
        String tenant = "bench-fresh-" + run;
        List<Rec> recs = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<ObjectNode> stageJson = new ArrayList<>();
        Table table = new Table("stage", "rate/s", "produced", "served", "p50 s", "p95 s", "p99 s", "max s", "trend s/s", "sustainable");
        long t0 = System.currentTimeMillis();
        double sustainable = 0;
        long next = 0;
        try (Api api = new Api(target.http()); Feeder feeder = new Feeder(target.bootstrap(), target.topics());
                ServedTracker tracker = new ServedTracker(api, tenant, s.poll())) {
            out.printf("freshness: tenant %s, %d single documents, then %s records/s for %d s each%n", tenant, s.singles(), s.rates(),
                    s.stage().toSeconds());
            List<Rec> singles = new ArrayList<>();
            for (int i = 0; i < s.singles(); i++) {
                Feeder.Sent sent = feeder.document(tenant, texts.document(next++));
                singles.add(new Rec(sent.key(), "single", sent.producedAtMs()));
                tracker.awaitAll(List.of(sent.key()), s.drain());
            }
            recs.addAll(singles);
            stageJson.add(stage(table, "single", Double.NaN, singles, tracker, s));
            for (double rate : s.rates()) {
                String name = "ramp " + Table.format(rate) + "/s";
                List<Rec> stage = new ArrayList<>();
                long n = Math.max(1, Math.round(rate * s.stage().toMillis() / 1000.0));
                long start = System.nanoTime();
                for (long i = 0; i < n; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
                    long id = next++;
                    Feeder.Sent sent = s.editEvery() > 0 && id % s.editEvery() == 0 ? feeder.edit(tenant, texts.edit(id))
                            : feeder.document(tenant, texts.document(id));
                    stage.add(new Rec(sent.key(), name, sent.producedAtMs()));
                }
                tracker.awaitAll(stage.stream().map(Rec::key).toList(), s.drain());
                recs.addAll(stage);
                ObjectNode st = stage(table, name, rate, stage, tracker, s);
                stageJson.add(st);
                out.printf("freshness: %s done: %d served of %d, p50 %s s%n", name, st.get("served").asInt(), stage.size(),
                        Table.format(st.path("freshness_s").path("p50").asDouble(Double.NaN)));
                if (!st.get("sustainable").asBoolean()) {
                    break; // lag grows: higher rates only pile more backlog on the same trainer
                }
                sustainable = rate;
            }
            // Whatever a failed stage left behind must still arrive: a record never served is lost.
            tracker.awaitAll(recs.stream().map(Rec::key).toList(), s.drain());
            List<String> unserved = recs.stream().filter(r -> !tracker.served(r.key())).map(Rec::key).toList();
            List<String> lost = unserved.stream().filter(k -> !tracker.covered(k)).toList();
            if (!lost.isEmpty()) {
                failures.add(lost.size() + " of " + recs.size() + " records in no version within " + s.drain().toSeconds() + " s: "
                        + lost.subList(0, Math.min(5, lost.size())));
            }
            if (unserved.size() > lost.size()) {
                // The gate doing its job, not a delivery failure: reported, not failed on.
                out.printf("freshness: note: %d records applied but never served: the quality gate rejected the versions containing them "
                        + "(see GET /v1/adapters/%s)%n", unserved.size() - lost.size(), tenant);
            }

            ObjectNode json = Report.newJson("freshness");
            json.put("tenant", tenant);
            ObjectNode settings = json.putObject("settings");
            settings.put("singles", s.singles()).put("stage_s", s.stage().toSeconds()).put("drain_s", s.drain().toSeconds())
                    .put("edit_every", s.editEvery()).put("poll_ms", s.poll().toMillis()).put("max_trend", s.maxTrend());
            s.rates().forEach(settings.putArray("rates")::add);
            json.put("produced", recs.size());
            json.put("served", recs.size() - unserved.size());
            json.put("lost", lost.size());
            json.put("gate_held", unserved.size() - lost.size());
            json.put("all_served", unserved.isEmpty());
            json.put("sustainable_rate", sustainable);
            json.set("single_document_s", stageJson.get(0).get("freshness_s"));
            ArrayNode stages = json.putArray("stages");
            stageJson.forEach(stages::add);
            ArrayNode records = json.putArray("records");
            for (Rec r : recs) {
                Long at = tracker.servedAtMs(r.key());
                ObjectNode o = records.addObject().put("key", r.key()).put("stage", r.stage()).put("produced_ms", r.producedMs());
                if (at != null) {
                    o.put("served_ms", at).put("freshness_s", (at - r.producedMs()) / 1000.0);
                }
            }
            String rateText = sustainable > 0 ? Table.format(sustainable) : s.rates().isEmpty() ? "-" : "below " + Table.format(s.rates().get(0));
            String text = table.render() + String.format("single document: p50 %s s, p95 %s s; sustainable rate %s records/s (%s)%n",
                    Table.format(stageJson.get(0).path("freshness_s").path("p50").asDouble(Double.NaN)),
                    Table.format(stageJson.get(0).path("freshness_s").path("p95").asDouble(Double.NaN)), rateText,
                    "stage all served within " + s.drain().toSeconds() + " s, freshness climbing at most " + s.maxTrend() + " s/s");
            return Report.finish("freshness", json, text, failures, plot(recs, tracker, t0), outDir, out);
        }
    }

    private static ObjectNode stage(Table table, String name, double rate, List<Rec> recs, ServedTracker tracker, Settings s) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (Rec r : recs) {
            Long at = tracker.servedAtMs(r.key());
            if (at != null) {
                x.add(r.producedMs() / 1000.0);
                y.add((at - r.producedMs()) / 1000.0);
            }
        }
        Stats st = Stats.of(y);
        double trend = Trend.thirds(x.stream().mapToDouble(Double::doubleValue).toArray(), y.stream().mapToDouble(Double::doubleValue).toArray());
        boolean sustainable = y.size() == recs.size() && !(trend > s.maxTrend());
        long gateHeld = recs.stream().filter(r -> !tracker.served(r.key()) && tracker.covered(r.key())).count();
        // Records the gate held back say nothing about lag, but end the ramp all the same: later stages
        // would only train on from the rejected state.
        String verdict = Double.isNaN(rate) ? "-" : gateHeld > 0 ? "gate rejected " + gateHeld : sustainable ? "yes" : "no, lag grows";
        table.row(name, Double.isNaN(rate) ? "-" : Table.format(rate), recs.size(), y.size(), st.p50(), st.p95(), st.p99(), st.max(), trend,
                verdict);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("stage", name);
        if (!Double.isNaN(rate)) {
            o.put("rate", rate);
        }
        o.put("produced", recs.size()).put("served", y.size()).put("gate_held", gateHeld).put("sustainable", sustainable && gateHeld == 0);
        if (Double.isFinite(trend)) {
            o.put("trend_s_per_s", trend);
        }
        o.set("freshness_s", st.toJson());
        return o;
    }

    private static Plot plot(List<Rec> recs, ServedTracker tracker, long t0) {
        Plot plot = new Plot();
        Plot.Panel fresh = plot.panel("freshness: produce to first served version containing the record", "(seconds, by produce time)");
        List<String> stages = recs.stream().map(Rec::stage).distinct().toList();
        for (int i = 0; i < stages.size(); i++) {
            String name = stages.get(i);
            List<Rec> in = recs.stream().filter(r -> r.stage().equals(name) && tracker.served(r.key())).toList();
            fresh.points(name, Plot.PALETTE[i % Plot.PALETTE.length], in.stream().mapToDouble(r -> (r.producedMs() - t0) / 1000.0).toArray(),
                    in.stream().mapToDouble(r -> (tracker.servedAtMs(r.key()) - r.producedMs()) / 1000.0).toArray());
        }
        // A step line: the served version holds until the next swap.
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (ServedTracker.Swap w : tracker.swaps()) {
            if (!ys.isEmpty()) {
                xs.add((w.atMs() - t0) / 1000.0);
                ys.add(ys.get(ys.size() - 1));
            }
            xs.add((w.atMs() - t0) / 1000.0);
            ys.add((double) w.version());
        }
        plot.panel("served adapter version", "(version number)").line("served version", Plot.PALETTE[0],
                xs.stream().mapToDouble(Double::doubleValue).toArray(), ys.stream().mapToDouble(Double::doubleValue).toArray());
        return plot;
    }
}
