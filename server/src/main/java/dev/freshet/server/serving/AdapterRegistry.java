package dev.freshet.server.serving;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.streams.record.TenantId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one owner of every tenant's adapter versions: which version each tenant is served from, the version
 * history, and when a version's native memory may be released.
 *
 * <p><b>Reading</b> ({@link #acquire}) never locks: it reads the current {@link ServingSnapshot} through an
 * atomic reference and pins the entry it finds with a {@link Lease}. A request therefore runs entirely on
 * the version it started with, however many swaps happen meanwhile.
 *
 * <p><b>Changing</b> ({@link #promote}, {@link #offer}, {@link #rollback}, {@link #follow}, {@link #restore}) is serialised
 * by one lock and may block on disk and on the quality gate: call it from a worker or training thread, never
 * an event loop. A swap makes the new version durable first ({@code promoted.json}), then publishes the new
 * snapshot, then retires the old version, whose adapter is closed when its last lease is released.
 *
 * <p>Model names: {@value #BASE} is the base model alone (version 0) and is not a valid tenant; every other
 * name is a tenant id ({@code [a-z0-9][a-z0-9_-]{0,63}}). Versions are immutable and numbered by their
 * manifest; version 0 of every tenant is the base model. Promoting a version the registry already knows
 * is a no-op, so replays (e.g. a compacted adapter topic read again after a restart) are harmless; serving
 * an older version is what {@link #rollback} is for.
 */
public final class AdapterRegistry implements AutoCloseable {

    /** The model name of the base model. */
    public static final String BASE = "base";

    private static final Logger LOG = LoggerFactory.getLogger(AdapterRegistry.class);

    private final LanguageModel base;
    private final AdapterStore store;
    private final RegistryListener listener;
    private final ReentrantLock owner = new ReentrantLock();
    private final AtomicReference<ServingSnapshot> snapshot;
    private final VersionHistory history = new VersionHistory(); // written under the owner lock only
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>(); // leases per model, for fusion
    private boolean closed; // guarded by owner

    public AdapterRegistry(LanguageModel base, AdapterStore store, RegistryListener listener) {
        this.base = base;
        this.store = store;
        this.listener = listener;
        this.snapshot = new AtomicReference<>(new ServingSnapshot(Map.of(BASE, new Resident(BASE, 0, null, listener))));
    }

    /** The base model every version adapts. */
    public LanguageModel model() {
        return base;
    }

    /** What is served right now. */
    public ServingSnapshot snapshot() {
        return snapshot.get();
    }

    /**
     * Pins the version {@code model} is served from. Non-blocking and cheap: safe on an event loop.
     *
     * @throws UnknownModelException if {@code model} is neither {@value #BASE} nor a served tenant
     */
    public Lease acquire(String model) {
        while (true) {
            ServingSnapshot s = snapshot.get();
            Resident r = s.get(model);
            if (r == null) {
                throw new UnknownModelException(model);
            }
            if (r.tryRetain()) {
                requests.computeIfAbsent(model, k -> new LongAdder()).increment();
                return new Lease(r, base.weights());
            }
            // Released between our read and our pin: the swap that retired it already published a newer
            // snapshot, so we retry on that. The same snapshot still here would mean a served version was
            // released, a broken invariant: fail loudly rather than spin.
            if (snapshot.get() == s) {
                throw new IllegalStateException(model + " v" + r.version + " was released while still served");
            }
        }
    }

    /** Leases taken per model since the last call, which starts counting afresh (for the fusion policy). */
    public Map<String, Long> drainRequestCounts() {
        Map<String, Long> out = new TreeMap<>();
        requests.forEach((model, n) -> {
            long c = n.sumThenReset();
            if (c > 0) {
                out.put(model, c);
            }
        });
        return out;
    }

    /**
     * Fuses the tenant's served adapter into the base weights (see {@link Adapter#fuse}); a no-op for the
     * base model, an unserved tenant, or a version already fused. Blocks while the copy is made: call it
     * from a worker thread.
     *
     * @return whether it fused a version now
     */
    public boolean fuse(String tenant) {
        Resident r = snapshot.get().get(tenant);
        if (r == null || BASE.equals(tenant) || !r.fuse(base)) {
            return false;
        }
        LOG.info("tenant {}: v{} fused into the base weights for serving", tenant, r.version);
        listener.fused(tenant, r.version);
        return true;
    }

    /** Tenants with a history (served, or only rejected so far), sorted. */
    public List<String> tenants() {
        return history.tenants();
    }

    /** A tenant's version history, ascending, version 0 (the base model) first. */
    public Optional<List<VersionInfo>> history(String tenant) {
        return history.get(tenant);
    }

    /** One more than the highest version the tenant has: the number a trainer gives its next candidate. */
    public long nextVersion(String tenant) {
        return history.next(tenant);
    }

    /**
     * Serves {@code adapter} for {@code tenant} without a gate. Takes ownership of the adapter: it is closed
     * when retired, on failure, or at once if its version is already known.
     */
    public VersionInfo promote(String tenant, Adapter adapter) throws IOException {
        owner.lock();
        try {
            return promoteLocked(tenant, adapter, null);
        } finally {
            owner.unlock();
        }
    }

    /**
     * Gates {@code candidate} against the tenant's served version and promotes it if it passes; otherwise
     * records it as {@link AdapterState#REJECTED} and closes it. Takes ownership of the candidate.
     *
     * @return the candidate's history entry (its state says which way it went)
     */
    public VersionInfo offer(String tenant, Adapter candidate, QualityGate gate) throws IOException {
        owner.lock();
        try {
            AdapterManifest m = checkCandidate(tenant, candidate);
            Optional<VersionInfo> known = history.find(tenant, m.version());
            if (known.isPresent() && known.get().state() != AdapterState.LOADED) {
                candidate.close();
                return known.get();
            }
            history.record(tenant, VersionInfo.of(m, AdapterState.LOADED, null));
            GateVerdict verdict;
            try (Lease served = acquire(snapshot.get().contains(tenant) ? tenant : BASE)) {
                verdict = gate.evaluate(served.adaptation(), served.version(), candidate.adaptation(), m.version());
            } catch (RuntimeException e) {
                // A gate that cannot judge must not let the candidate through.
                verdict = new GateVerdict(false, "gate failed: " + e, servedVersion(tenant), Map.of());
            }
            if (verdict.passed()) {
                return promoteLocked(tenant, candidate, verdict);
            }
            candidate.close();
            VersionInfo rejected = VersionInfo.of(m, AdapterState.REJECTED, verdict);
            store.writeHistoryRecord(tenant, rejected);
            history.record(tenant, rejected);
            LOG.warn("tenant {}: rejected candidate v{}: {}", tenant, m.version(), verdict.reason());
            listener.rejected(tenant, m.version(), verdict);
            return rejected;
        } finally {
            owner.unlock();
        }
    }

    /**
     * Serves a stored version again (0 = the base model). A retired version is reloaded from the store.
     *
     * @throws UnknownModelException if the tenant has no history
     * @throws UnknownVersionException if the version is not stored
     */
    public VersionInfo rollback(String tenant, long version) throws IOException {
        owner.lock();
        try {
            ensureOpen();
            if (!history.contains(tenant)) {
                throw new UnknownModelException(tenant);
            }
            Resident current = snapshot.get().get(tenant);
            if (current != null && current.version == version) {
                return history.find(tenant, version).orElseThrow();
            }
            return serveStored(tenant, version, RegistryListener.SwapKind.ROLLBACK);
        } finally {
            owner.unlock();
        }
    }

    /**
     * Serves a stored version that another replica announced on the adapters topic. It passed that
     * replica's gate, so it is not gated again. A version newer than the served one is served; an older one
     * only when the announcement was a rollback, so a replayed or late announcement never moves a tenant
     * backwards.
     *
     * @return the entry now served, or empty when the announcement was ignored as stale or already served
     * @throws UnknownVersionException if the version is not in the store
     */
    public Optional<VersionInfo> follow(String tenant, long version, boolean rollback) throws IOException {
        owner.lock();
        try {
            ensureOpen();
            long served = servedVersion(tenant);
            if (version == served || (!rollback && version < served)) {
                return Optional.empty();
            }
            return Optional.of(serveStored(tenant, version, RegistryListener.SwapKind.FOLLOW));
        } finally {
            owner.unlock();
        }
    }

    /** The version a tenant is served from: 0 for the base model, -1 if the tenant is not served. */
    public long servedVersion(String tenant) {
        Resident r = snapshot.get().get(tenant);
        return r == null ? -1 : r.version;
    }

    /**
     * Loads every tenant's history from the store and serves each one's {@code promoted.json} version.
     * A tenant whose promoted version cannot be loaded is logged and left unserved, so one bad folder does
     * not keep the other tenants down. Idempotent.
     *
     * @return the number of tenants served afterwards
     */
    public int restore() throws IOException {
        owner.lock();
        try {
            ensureOpen();
            for (String tenant : store.tenants()) {
                if (history.contains(tenant)) {
                    continue; // already restored or already live: the store holds nothing newer than memory
                }
                // Stored versions with a history record were served (or rejected) before; those without one
                // were saved and never decided on (a crash between saving and promoting), so they stay
                // LOADED and a replayed promotion still serves them, while a rolled-back version is not revived.
                Map<Long, VersionInfo> records = store.historyRecords(tenant);
                Map<Long, VersionInfo> entries = new TreeMap<>(records);
                for (long v : store.versions(tenant)) {
                    VersionInfo rec = records.get(v);
                    AdapterState state = rec == null ? AdapterState.LOADED : rec.state() == AdapterState.REJECTED ? AdapterState.REJECTED : AdapterState.RETIRED;
                    entries.put(v, VersionInfo.of(store.manifest(tenant, v), state, rec == null ? null : rec.gate()));
                }
                OptionalLong promoted = store.promoted(tenant);
                if (entries.isEmpty() && promoted.isEmpty()) {
                    continue;
                }
                entries.values().forEach(e -> history.record(tenant, e.state() == AdapterState.SERVING ? e.withState(AdapterState.RETIRED) : e));
                if (promoted.isEmpty()) {
                    continue; // crashed between saving a version and promoting it: nothing was served
                }
                long v = promoted.getAsLong();
                try {
                    swap(tenant, residentFromStore(tenant, v), history.find(tenant, v).orElseThrow(), RegistryListener.SwapKind.RESTORE);
                } catch (IOException | RuntimeException e) {
                    LOG.error("tenant {}: cannot restore promoted version v{}; the tenant is not served", tenant, v, e);
                }
            }
            return snapshot.get().versions().size() - 1;
        } finally {
            owner.unlock();
        }
    }

    /** Stops serving: every version is retired and closes as soon as its last lease is released. */
    @Override
    public void close() {
        owner.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ServingSnapshot last = snapshot.getAndSet(new ServingSnapshot(Map.of()));
            last.residents().values().forEach(Resident::release);
        } finally {
            owner.unlock();
        }
    }

    // ---- machinery; everything below runs under the owner lock ----

    private VersionInfo promoteLocked(String tenant, Adapter adapter, GateVerdict verdict) throws IOException {
        AdapterManifest m;
        try {
            m = checkCandidate(tenant, adapter);
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
        Optional<VersionInfo> known = history.find(tenant, m.version());
        if (known.isPresent() && known.get().state() != AdapterState.LOADED) {
            adapter.close();
            return known.get();
        }
        VersionInfo info = VersionInfo.of(m, AdapterState.SERVING, verdict);
        try {
            store.save(tenant, adapter); // fsynced before promoted.json names it
            store.writeHistoryRecord(tenant, info);
            store.writePromoted(tenant, m.version());
        } catch (IOException | RuntimeException e) {
            adapter.close();
            throw e;
        }
        VersionInfo served = swap(tenant, new Resident(tenant, m.version(), adapter, listener), info, RegistryListener.SwapKind.PROMOTE);
        if (verdict != null) {
            listener.promoted(tenant, m.version(), verdict);
        }
        return served;
    }

    /** Publishes {@code r} as the tenant's served version and retires the previous one. */
    private VersionInfo swap(String tenant, Resident r, VersionInfo info, RegistryListener.SwapKind kind) {
        ServingSnapshot current = snapshot.get();
        Resident old = current.get(tenant);
        snapshot.set(current.with(tenant, r));
        if (old != null) {
            history.setState(tenant, old.version, AdapterState.RETIRED);
        }
        VersionInfo served = info.withState(AdapterState.SERVING);
        history.record(tenant, served);
        LOG.info("tenant {}: serving v{} ({}; was {})", tenant, r.version, kind, old == null ? "unserved" : "v" + old.version);
        listener.served(tenant, old == null ? -1 : old.version, r.version, kind);
        if (old != null) {
            old.release(); // after the new snapshot is visible, so no new lease can find it
        }
        return served;
    }

    /** Serves a stored version (0 = the base model): loaded, recorded durably as served, then swapped in. */
    private VersionInfo serveStored(String tenant, long version, RegistryListener.SwapKind kind) throws IOException {
        if (version != 0 && !store.contains(tenant, version)) {
            throw new UnknownVersionException(tenant, version);
        }
        VersionInfo info = history.find(tenant, version).orElseGet(() -> manifestInfo(tenant, version));
        Resident r = residentFromStore(tenant, version);
        try {
            if (version != 0) {
                store.writeHistoryRecord(tenant, info.withState(AdapterState.SERVING));
            }
            store.writePromoted(tenant, version);
        } catch (IOException | RuntimeException e) {
            r.release();
            throw e;
        }
        return swap(tenant, r, info, kind);
    }

    private Resident residentFromStore(String tenant, long version) throws IOException {
        return new Resident(tenant, version, version == 0 ? null : store.load(tenant, version, base), listener);
    }

    private VersionInfo manifestInfo(String tenant, long version) {
        try {
            return VersionInfo.of(store.manifest(tenant, version), AdapterState.RETIRED, null);
        } catch (IOException e) {
            throw new UnknownVersionException(tenant, version);
        }
    }

    private AdapterManifest checkCandidate(String tenant, Adapter adapter) {
        ensureOpen();
        if (BASE.equals(tenant) || !TenantId.isValid(tenant)) {
            throw new IllegalArgumentException("'" + tenant + "' is not a tenant id ([a-z0-9][a-z0-9_-]{0,63}, not '" + BASE + "')");
        }
        AdapterManifest m = adapter.manifest();
        if (m.version() <= 0) {
            throw new IllegalArgumentException("tenant " + tenant + ": adapter versions start at 1 (0 is the base model), got " + m.version());
        }
        if (!m.baseModelHash().equals(base.hash())) {
            throw new IllegalArgumentException("tenant " + tenant + " v" + m.version() + " was trained on base " + m.baseModelHash()
                    + ", this server serves " + base.hash());
        }
        return m;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the adapter registry is closed");
        }
    }
}
