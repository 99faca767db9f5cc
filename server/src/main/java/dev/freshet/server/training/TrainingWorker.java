package dev.freshet.server.training;

import ai.djl.Device;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.serving.AdapterState;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.VersionInfo;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one training thread of a device ({@code freshet-train-cpu-0}): takes micro-batches from the
 * {@link TrainingQueue}, trains each tenant's fast adapter on its share, and hands every completed
 * round to the {@link VersionSink} as a new immutable version.
 *
 * <h2>A round, per tenant in the batch</h2>
 *
 * <ol>
 *   <li>Records a durable version already covers (re-delivered after a crash) are reported durable
 *       and skipped; a second record with a pending id rides along with the first.
 *   <li>Documents, then edits (so a correction wins over a document in the same batch), go to the
 *       {@link DocumentLearner} and the {@link EditLearner}. A record refused for a non-finite loss
 *       is dead-lettered ({@link Reason#NAN_LOSS}); the others are trained.
 *   <li>A copy of the adapter becomes version N+1, its manifest covering the trained records; once
 *       the sink returns (durable) every record of the round is reported durable, so its offset can
 *       be committed. If the sink fails, the records stay pending and go into the next version.
 * </ol>
 *
 * Steps yield to serving ({@link ServingPressure}). Stopping abandons the round in progress at the
 * next step boundary: its records are in no durable version and are delivered again after restart.
 * A tenant's state (latest stored version, covered ids) is read from the {@link AdapterStore} the
 * first time the tenant appears; optimizer moments start fresh after a restart.
 */
public final class TrainingWorker implements PartitionHandoff, AutoCloseable {

    /**
     * Blocks until this replica's adapter store holds every version announced so far (see the adapters
     * follower), so a tenant taken over from another trainer resumes from its latest version and skips the
     * records that version covers.
     */
    @FunctionalInterface
    public interface CatchUp {
        CatchUp NONE = () -> {};

        void awaitCurrent() throws InterruptedException;
    }

    /** A rebalance took these partitions away; done completes once none of their records will be trained here. */
    private record Release(Set<TopicPartition> partitions, CompletableFuture<Void> done) {}

    /** The two learners. */
    public record Learners(DocumentLearner documents, EditLearner edits) {
        public Learners {
            Objects.requireNonNull(documents, "documents");
            Objects.requireNonNull(edits, "edits");
        }

        /** Uniform fine-tuning on documents, the configured edit learner on edits. */
        public static Learners defaults(TrainingSettings settings) {
            return new Learners(WeightedDocumentLearner.uniform(settings), EditLearner.of(settings));
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(TrainingWorker.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    private static final long RETRY_NANOS = Duration.ofSeconds(1).toNanos();

    private final LanguageModel base;
    private final TrainingSettings settings;
    private final Learners learners;
    private final AdapterStore store;
    private final VersionSink sink;
    private final TrainingEvents events;
    private final StepGate gate;
    private final MicroBatcher batcher;
    private final Map<TenantId, TenantState> tenants = new HashMap<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<Release> releases = new ConcurrentLinkedQueue<>();
    private final TrainingQueue queue;
    private final CatchUp catchUp;
    private final Thread thread;
    private volatile boolean stopping;

    public TrainingWorker(LanguageModel base, TrainingSettings settings, TrainingQueue queue, Learners learners,
            AdapterStore store, VersionSink sink, ServingPressure pressure, TrainingEvents events) {
        this(base, settings, queue, learners, store, sink, pressure, events, CatchUp.NONE);
    }

    /** @param catchUp awaited before a tenant's state is loaded from the store */
    public TrainingWorker(LanguageModel base, TrainingSettings settings, TrainingQueue queue, Learners learners,
            AdapterStore store, VersionSink sink, ServingPressure pressure, TrainingEvents events, CatchUp catchUp) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.catchUp = Objects.requireNonNull(catchUp, "catchUp");
        this.base = Objects.requireNonNull(base, "base");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.learners = Objects.requireNonNull(learners, "learners");
        this.store = Objects.requireNonNull(store, "store");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.events = Objects.requireNonNull(events, "events");
        this.gate = new StepGate(Objects.requireNonNull(pressure, "pressure"), settings.maxYield(), () -> stopping, events);
        this.batcher = new MicroBatcher(queue, settings.maxBatchRecords(), settings.maxBatchDelay(), IDLE_POLL);
        // A platform thread: DJL's JNI calls must not run on (unpreempted) virtual threads.
        this.thread = new Thread(this::run, threadName(base.manager().getDevice()));
    }

    /** {@code freshet-train-<device type>-<index>}, e.g. {@code freshet-train-cpu-0}. */
    public static String threadName(Device device) {
        return "freshet-train-" + device.getDeviceType() + "-" + Math.max(0, device.getDeviceId());
    }

    /** Starts the training thread. */
    public void start() {
        thread.start();
    }

    /**
     * Asks the thread to stop after the current step; the future completes when it has exited and
     * freed every tenant's adapter. Does not block.
     */
    public CompletableFuture<Void> stop() {
        stopping = true;
        if (thread.getState() == Thread.State.NEW) {
            stopped.complete(null);
        }
        return stopped;
    }

    /**
     * Stops training records of {@code partitions}: drops them from the queue and from the batch being
     * formed, retries any version not yet durable, and forgets every tenant's in-memory state, so the
     * next owner of those tenants is the only one to train them. Runs on the training thread between
     * rounds; the stage completes then (at once if the thread is not running).
     */
    @Override
    public CompletionStage<Void> release(Collection<TopicPartition> partitions) {
        Release r = new Release(Set.copyOf(partitions), new CompletableFuture<>());
        releases.add(r);
        if (!thread.isAlive()) {
            releases.remove(r);
            r.done.complete(null);
        }
        return r.done;
    }

    /** Whether the thread is running (false once stopped, or if it died: see the log). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops and waits for the thread. */
    @Override
    public void close() {
        stop().join();
    }

    private void run() {
        LOG.info("training worker started on {}", thread.getName());
        try {
            while (!stopping) {
                List<WorkItem> batch = applyReleases(batcher.next());
                retryFailedVersions();
                if (!batch.isEmpty()) {
                    round(batch);
                }
            }
        } catch (StepGate.RoundAbandoned | InterruptedException e) {
            LOG.info("training worker stopping; the round in progress is abandoned and will be re-delivered");
        } catch (RuntimeException | Error e) {
            LOG.error("training worker died; records stay uncommitted until a restart", e);
            stopped.completeExceptionally(e);
        } finally {
            tenants.values().forEach(TenantState::close);
            tenants.clear();
            releases.forEach(r -> r.done.complete(null)); // nothing is trained any more
            stopped.complete(null);
        }
    }

    private List<WorkItem> applyReleases(List<WorkItem> batch) {
        Release r = releases.poll();
        if (r == null) {
            return batch;
        }
        List<Release> released = new ArrayList<>();
        Set<TopicPartition> gone = new HashSet<>();
        for (; r != null; r = releases.poll()) {
            gone.addAll(r.partitions());
            released.add(r);
        }
        Predicate<WorkItem> ofGone = i -> gone.contains(new TopicPartition(i.origin().topic(), i.origin().partition()));
        int dropped = queue.removeIf(ofGone);
        List<WorkItem> kept = new ArrayList<>(batch);
        kept.removeIf(ofGone);
        dropped += batch.size() - kept.size();
        tenants.forEach((tenant, t) -> {
            if (!t.pending.isEmpty()) {
                publish(tenant, t); // durable now, or re-delivered to the next owner
            }
        });
        tenants.values().forEach(TenantState::close);
        int forgotten = tenants.size();
        tenants.clear();
        LOG.info("released {}: {} queued records left to the next owner, {} tenant states forgotten", gone, dropped, forgotten);
        released.forEach(x -> x.done().complete(null));
        return kept;
    }

    private void round(List<WorkItem> batch) {
        Map<TenantId, List<WorkItem>> byTenant = new LinkedHashMap<>();
        batch.forEach(i -> byTenant.computeIfAbsent(i.tenant(), t -> new ArrayList<>()).add(i));
        byTenant.forEach(this::trainTenant);
    }

    private void trainTenant(TenantId tenant, List<WorkItem> items) {
        TenantState t = state(tenant);
        if (t == null) {
            return; // logged; the records stay un-durable and hold their offsets back
        }
        List<WorkItem> documents = new ArrayList<>();
        List<WorkItem> edits = new ArrayList<>();
        Set<String> inRound = new HashSet<>();
        for (WorkItem item : items) {
            if (t.covered.covers(item)) {
                item.origin().receipt().durable();
                events.skipped(item);
            } else if (t.seen(item) || !inRound.add(TenantState.key(item))) {
                t.riders.add(item); // same id as a pending record: one effect, durable with it
            } else {
                (item instanceof WorkItem.Document ? documents : edits).add(item);
            }
        }
        Map<String, Rejection> refused = new HashMap<>();
        phase(t, documents, learners.documents().method(), refused,
                list -> learners.documents().learn(t.fast, list.stream().map(i -> ((WorkItem.Document) i).document()).toList()));
        phase(t, edits, learners.edits().method(), refused,
                list -> learners.edits().learn(t.fast, list.stream().map(i -> ((WorkItem.Edit) i).edit()).toList()));
        // A duplicate shares the fate of its original: refused with it, or durable with its version.
        t.riders.removeIf(r -> {
            Rejection why = refused.get(TenantState.key(r));
            if (why != null) {
                refuse(r, why);
            }
            return why != null;
        });
        if (!t.pending.isEmpty()) {
            publish(tenant, t);
        }
    }

    private void phase(TenantState t, List<WorkItem> items, String method, Map<String, Rejection> refused,
            Function<List<WorkItem>, LearnResult> learn) {
        if (items.isEmpty()) {
            return;
        }
        t.fast.beginPhase(method);
        LearnResult result;
        try {
            result = learn.apply(items);
        } catch (StepGate.RoundAbandoned e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.error("{} training failed for tenant {}; dead-lettering its {} records", method, t.fast.tenant(), items.size(), e);
            Rejection why = new Rejection(Reason.PROCESSING_FAILED, method + " training failed: " + e);
            items.forEach(i -> {
                refused.put(TenantState.key(i), why);
                refuse(i, why);
            });
            return;
        }
        for (WorkItem item : items) {
            Rejection why = result.refused().get(item.id());
            if (why != null) {
                Rejection rejection = new Rejection(why.reason(), method + " " + why.detail());
                refused.put(TenantState.key(item), rejection);
                refuse(item, rejection);
            } else {
                t.pending.add(item);
            }
        }
        t.methods.add(method);
    }

    private void refuse(WorkItem item, Rejection rejection) {
        LOG.warn("record {} of tenant {} ({}-{}@{}) refused: {}", item.id(), item.tenant(), item.origin().topic(),
                item.origin().partition(), item.origin().offset(), rejection.detail());
        item.origin().receipt().refused(rejection);
        events.refused(item, rejection);
    }

    private void publish(TenantId tenant, TenantState t) {
        CoveredRecords covered = new CoveredRecords(t.pending.stream().map(CoveredRecords.Entry::of).toList());
        RoundMetrics metrics = t.fast.roundMetrics(covered.size());
        long version = t.last.version() + 1;
        VersionSink.Outcome outcome;
        try {
            // Another writer (or a failed attempt that left its directory) may have used numbers.
            version = Math.max(version, latestStored(tenant) + 1);
            Map<String, Double> recorded = metrics.toManifestMetrics();
            if (settings.interpolates()) {
                recorded.put("mwi_tau", settings.mwi().tau()); // the version holds the slow copy, not the trained weights
                recorded.put("mwi_edits_as_trained", settings.mwiScope() == MwiScope.DOCUMENTS ? 1.0 : 0.0);
            }
            AdapterManifest manifest = t.last.nextVersion(version, String.join("+", t.methods), recorded, covered.toJson());
            Adapter candidate = t.fast.snapshot(manifest);
            outcome = sink.accept(tenant, candidate, covered);
            t.last = manifest;
        } catch (IOException | RuntimeException e) {
            t.failedAtNanos = System.nanoTime();
            LOG.error("version {} of tenant {} is not durable; its {} records wait for the next version", version, tenant, covered.size(), e);
            events.sinkFailed(tenant, version, e instanceof IOException io ? io : new IOException(e));
            return;
        }
        t.covered.add(covered);
        t.fast.resetRound();
        List<WorkItem> learned = List.copyOf(t.pending);
        t.pending.forEach(i -> i.origin().receipt().durable());
        t.riders.forEach(r -> r.origin().receipt().durable());
        t.clearPending();
        LOG.info("tenant {} version {}: {} records, {} steps, loss {}", tenant, version, covered.size(), metrics.steps(), metrics.meanLoss());
        events.versioned(tenant, version, covered, metrics);
        if (outcome == VersionSink.Outcome.REJECTED) {
            t.stale = true; // reloaded on the tenant's next record, from the newest version the gate did not refuse
            LOG.info("tenant {}: v{} was rejected; training resumes from the served version", tenant, version);
            // After the commit: the rejection itself is durable in the version's history, the dead letters tell producers.
            events.gateRejected(tenant, version, learned, verdict(tenant, version));
        }
    }

    /** The gate's reason for refusing {@code version}, from the tenant's history. */
    private String verdict(TenantId tenant, long version) {
        try {
            VersionInfo h = store.historyRecords(tenant.value()).get(version);
            return h == null || h.gate() == null ? "no verdict recorded" : h.gate().reason();
        } catch (IOException e) {
            return "verdict unreadable (" + e.getMessage() + ")";
        }
    }

    private void retryFailedVersions() {
        long now = System.nanoTime();
        tenants.forEach((tenant, t) -> {
            if (!t.pending.isEmpty() && t.failedAtNanos != 0 && now - t.failedAtNanos >= RETRY_NANOS) {
                publish(tenant, t);
            }
        });
    }

    /**
     * The version a tenant's training resumes from: the newest stored version the gate did not reject
     * (one saved and never decided on, after a crash, counts: a replayed promotion may still serve it);
     * 0, the base model, if none.
     */
    private long resumableVersion(TenantId tenant) throws IOException {
        Map<Long, VersionInfo> decided = store.historyRecords(tenant.value());
        List<Long> versions = store.versions(tenant.value());
        for (int i = versions.size() - 1; i >= 0; i--) {
            VersionInfo h = decided.get(versions.get(i));
            if (h == null || h.state() != AdapterState.REJECTED) {
                return versions.get(i);
            }
        }
        return 0;
    }

    /** The newest stored version of the tenant, 0 (the base model) if none. */
    private long latestStored(TenantId tenant) throws IOException {
        List<Long> versions = store.versions(tenant.value());
        return versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
    }

    /** The tenant's state, loaded on first sight; null (logged) if its stored versions are unreadable. */
    private TenantState state(TenantId tenant) {
        TenantState t = tenants.get(tenant);
        if (t != null && !t.stale) {
            return t;
        }
        if (t != null) {
            tenants.remove(tenant);
            t.close();
        }
        Adapter adapter = null;
        try {
            catchUp.awaitCurrent();
            CoveredIds covered = CoveredIds.load(store, tenant);
            long latest = resumableVersion(tenant);
            AdapterSpec spec = learners.edits().adapterSpec(settings.adapter(), base.config());
            adapter = latest == 0
                    ? Adapter.create(base, spec, learners.documents().method(), settings.seed() ^ tenant.value().hashCode())
                    : store.load(tenant.value(), latest, base);
            if (latest > 0 && !adapter.manifest().spec().equals(spec)) {
                LOG.warn("tenant {} continues from stored version {} with adapter {}, not the configured {}",
                        tenant, latest, adapter.manifest().spec(), spec);
            }
            t = new TenantState(new TenantAdapter(tenant, base, adapter, settings, gate, events), covered, adapter.manifest());
            LOG.info("tenant {}: resuming from version {}, {} records covered", tenant, latest, covered.size());
            tenants.put(tenant, t);
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepGate.RoundAbandoned();
        } catch (IOException | RuntimeException e) {
            if (adapter != null) {
                adapter.close();
            }
            LOG.error("cannot load the stored versions of tenant {}; its records wait for a restart", tenant, e);
            return null;
        }
    }
}
