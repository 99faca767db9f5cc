package dev.freshet.server.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.eval.OldWorldProbe;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.server.serving.AdapterState;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.GateVerdict;
import dev.freshet.server.serving.QualityGate;
import dev.freshet.server.serving.VersionInfo;
import dev.freshet.server.training.CoveredRecords;
import dev.freshet.server.training.Receipt;
import dev.freshet.server.training.TrainingQueue;
import dev.freshet.server.training.VersionSink;
import dev.freshet.server.training.WorkItem;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code bench edits} and {@code bench documents} share: records fed to a {@link dev.freshet.server.training.TrainingWorker}
 * in this process, and a sink that stores every version and lets the production gate decide it against the served one, as
 * the registry does (after a rejection the worker resumes from the served version).
 */
final class GatedRun implements VersionSink, AutoCloseable {

    private final AdapterStore store;
    private final QualityGate gate;
    private final PrintStream out;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private Adapter served; // null: the base model
    int promoted;
    int rejected;
    /** Records in promoted versions, and in rejected ones (applied, committed, never served). */
    int servedRecords;
    int heldRecords;
    long steps;

    GatedRun(AdapterStore store, QualityGate gate, PrintStream out) {
        this.store = store;
        this.gate = gate;
        this.out = out;
    }

    /** What is served now: the last promoted version, or the base model. */
    Adaptation served() {
        return served == null ? Adaptation.NONE : served.adaptation();
    }

    /** Records the worker dead-lettered (bad input, failed training): never in any version. */
    int refused() {
        return refused.get();
    }

    /** A receipt that counts the record as done, and as refused when it is dead-lettered. */
    Receipt receipt() {
        return new Receipt() {
            @Override
            public void durable() {
                done.incrementAndGet();
            }

            @Override
            public void refused(Rejection rejection) {
                refused.incrementAndGet();
                done.incrementAndGet();
            }
        };
    }

    /** Offers every item (waiting while the queue is full), then waits until each is in a version or refused. */
    void feed(TrainingQueue queue, List<? extends WorkItem> items, Duration maxWait, String label) throws InterruptedException {
        for (WorkItem item : items) {
            while (!queue.offer(item)) {
                Thread.sleep(50);
            }
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (done.get() < items.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(label + ": " + done.get() + " of " + items.size() + " records reached a version within "
                        + maxWait.toMinutes() + " minutes; the log above says why");
            }
            Thread.sleep(100);
        }
    }

    @Override
    public Outcome accept(TenantId tenant, Adapter candidate, CoveredRecords covered) throws IOException {
        long version = candidate.manifest().version();
        steps += candidate.manifest().metrics().getOrDefault("train_steps", 0.0).longValue();
        store.save(tenant.value(), candidate);
        GateVerdict verdict = gate.evaluate(served(), served == null ? 0 : served.manifest().version(), candidate.adaptation(), version);
        Double ppl = verdict.scores().get("perplexity.candidate");
        Double base = verdict.scores().get("perplexity.base");
        out.printf("  %s v%d: %d records, %s (%s)%s%n", candidate.manifest().method(), version, covered.size(), verdict.passed() ? "promoted" : "rejected",
                verdict.reason(), (ppl == null ? "" : String.format(Locale.ROOT, "; gate perplexity %.3f", ppl))
                        + (base == null ? "" : String.format(Locale.ROOT, ", base %.3f", base)));
        if (verdict.passed()) {
            if (served != null) {
                served.close();
            }
            served = candidate;
            promoted++;
            servedRecords += covered.size();
            return Outcome.SERVED;
        }
        try (candidate) {
            store.writeHistoryRecord(tenant.value(), VersionInfo.of(candidate.manifest(), AdapterState.REJECTED, verdict));
        }
        rejected++;
        heldRecords += covered.size();
        return Outcome.REJECTED;
    }

    @Override
    public void close() {
        if (served != null) {
            served.close();
        }
    }

    /** The figures every gated bench row has: what the served version kept of the old world, and what the run did. */
    static void addRunFields(JsonObject row, OldWorldProbe.Result old, int promoted, int rejected, int refused, long steps, double seconds) {
        row.addProperty("old_qa_em", old.exactMatch());
        row.addProperty("old_ppl", old.perplexity());
        row.addProperty("promoted", promoted);
        row.addProperty("rejected", rejected);
        row.addProperty("refused", refused);
        row.addProperty("steps", steps);
        row.addProperty("seconds", seconds);
    }

    /** Writes {@code report} with its {@code rows} to {@code outDir/name}. */
    static Path writeReport(JsonObject report, JsonArray rows, Path outDir, String name) throws IOException {
        report.add("rows", rows);
        Files.createDirectories(outDir);
        Path file = outDir.resolve(name);
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(report));
        return file;
    }
}
