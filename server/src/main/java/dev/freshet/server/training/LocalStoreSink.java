package dev.freshet.server.training;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link VersionSink} that only stores: each candidate is saved in the {@link AdapterStore}
 * (atomic rename, fsynced) and then closed; nothing is gated or served. For training-only runs and
 * tests, and the reference for what "durable" means to the real registry.
 *
 * <p>It keeps, in memory, what each accepted version covered, for inspection. Thread-safe.
 */
public final class LocalStoreSink implements VersionSink {

    /** One accepted version. */
    public record Accepted(long version, CoveredRecords covered) {}

    private final AdapterStore store;
    private final Map<TenantId, List<Accepted>> accepted = new ConcurrentHashMap<>();

    public LocalStoreSink(AdapterStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public Outcome accept(TenantId tenant, Adapter candidate, CoveredRecords covered) throws IOException {
        try (candidate) {
            store.save(tenant.value(), candidate);
            accepted.computeIfAbsent(tenant, t -> new CopyOnWriteArrayList<>()).add(new Accepted(candidate.manifest().version(), covered));
        }
        return Outcome.STORED;
    }

    /** The versions this sink accepted for {@code tenant}, oldest first (not those found on disk). */
    public List<Accepted> accepted(TenantId tenant) {
        return List.copyOf(accepted.getOrDefault(tenant, List.of()));
    }
}
