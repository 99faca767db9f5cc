package dev.freshet.server.serving;

import java.util.List;

/**
 * Observes the {@link AdapterRegistry}: metrics, logs, freshness accounting, tests. Calls come from the
 * thread that caused the event (the owner's thread for swaps; for {@link #released}, whichever thread
 * dropped the last pin), so implementations must be quick and thread-safe, and must not call back into
 * the registry's mutating methods.
 */
public interface RegistryListener {

    /**
     * How a version came to be served: promoted here after the gate, rolled back here, restored from the
     * store at start, or followed from another replica's announcement on the adapters topic.
     */
    enum SwapKind { PROMOTE, ROLLBACK, RESTORE, FOLLOW }

    RegistryListener NONE = new RegistryListener() {};

    /** {@code tenant} is now served from {@code version} (was {@code previous}, -1 if it had none). */
    default void served(String tenant, long previous, long version, SwapKind kind) {}

    /** The gate passed a candidate, which is now served (after {@link #served} with {@code PROMOTE}). */
    default void promoted(String tenant, long version, GateVerdict verdict) {}

    /** The gate refused a candidate. */
    default void rejected(String tenant, long version, GateVerdict verdict) {}

    /** A version's native memory was allocated (loaded or handed over). */
    default void resident(String tenant, long version) {}

    /** A version's native memory was released: it was retired and its last pin dropped. */
    default void released(String tenant, long version) {}

    /** A served version was fused into the base weights for faster serving. */
    default void fused(String tenant, long version) {}

    /** Every call goes to each listener in turn. */
    static RegistryListener all(RegistryListener... listeners) {
        List<RegistryListener> ls = List.of(listeners);
        return new RegistryListener() {
            @Override
            public void served(String tenant, long previous, long version, SwapKind kind) {
                ls.forEach(l -> l.served(tenant, previous, version, kind));
            }

            @Override
            public void promoted(String tenant, long version, GateVerdict verdict) {
                ls.forEach(l -> l.promoted(tenant, version, verdict));
            }

            @Override
            public void rejected(String tenant, long version, GateVerdict verdict) {
                ls.forEach(l -> l.rejected(tenant, version, verdict));
            }

            @Override
            public void resident(String tenant, long version) {
                ls.forEach(l -> l.resident(tenant, version));
            }

            @Override
            public void released(String tenant, long version) {
                ls.forEach(l -> l.released(tenant, version));
            }

            @Override
            public void fused(String tenant, long version) {
                ls.forEach(l -> l.fused(tenant, version));
            }
        };
    }
}
