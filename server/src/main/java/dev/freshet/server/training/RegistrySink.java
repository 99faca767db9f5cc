package dev.freshet.server.training;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.server.serving.AdapterRegistry;
import dev.freshet.server.serving.AdapterState;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.QualityGate;
import dev.freshet.server.serving.VersionInfo;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving {@link VersionSink}: each candidate is saved in the {@link AdapterStore} (durable, fsynced)
 * <em>before</em> it is offered to the {@link AdapterRegistry}, so a version the quality gate rejects still
 * records the ids it covers and offsets can be committed either way (see {@link VersionSink}).
 *
 * <p>Freshness: a record counts as served when the version that covers it is promoted, or a later one
 * that still holds its effect: one kept from a failed offer (the worker trains on from it). A record whose
 * version the gate rejected is never served: the worker resumes from the served version (see
 * {@link VersionSink.Outcome#REJECTED}). {@link Listener#servedRecords} reports served records.
 * Called on the training thread only.
 */
public final class RegistrySink implements VersionSink {

    /** Observes records becoming served. */
    @FunctionalInterface
    public interface Listener {
        /** {@code records} are served for the first time, by {@code version} of {@code tenant}. */
        void servedRecords(TenantId tenant, long version, List<CoveredRecords.Entry> records);
    }

    private static final Logger LOG = LoggerFactory.getLogger(RegistrySink.class);

    private final AdapterStore store;
    private final AdapterRegistry registry;
    private final QualityGate gate;
    private final Listener listener;
    private final Map<TenantId, List<CoveredRecords.Entry>> unserved = new HashMap<>();

    public RegistrySink(AdapterStore store, AdapterRegistry registry, QualityGate gate, Listener listener) {
        this.store = Objects.requireNonNull(store, "store");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public Outcome accept(TenantId tenant, Adapter candidate, CoveredRecords covered) throws IOException {
        long version = candidate.manifest().version();
        try {
            store.save(tenant.value(), candidate); // durable first: the contract holds even if the gate says no
        } catch (IOException | RuntimeException e) {
            candidate.close();
            throw e;
        }
        List<CoveredRecords.Entry> waiting = unserved.computeIfAbsent(tenant, t -> new ArrayList<>());
        waiting.addAll(covered.records());
        // The version is durable now: a failure to serve it must not make the worker think otherwise.
        VersionInfo info;
        long start = System.nanoTime();
        try {
            info = registry.offer(tenant.value(), candidate, gate); // takes ownership of the candidate
            LOG.info("tenant {}: v{} gated and {} in {} ms", tenant, version, info.state() == AdapterState.SERVING ? "promoted" : "rejected",
                    (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            LOG.error("tenant {}: v{} is stored but could not be offered for serving", tenant, version, e);
            return Outcome.STORED;
        }
        if (info.state() == AdapterState.SERVING) {
            List<CoveredRecords.Entry> served = List.copyOf(waiting);
            waiting.clear();
            listener.servedRecords(tenant, info.version(), served);
            return Outcome.SERVED;
        }
        if (info.state() == AdapterState.REJECTED) {
            waiting.clear(); // training resumes from the served version: no later version holds these records
            return Outcome.REJECTED;
        }
        return Outcome.STORED;
    }
}
