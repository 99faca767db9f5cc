package dev.freshet.server.serving;

/**
 * Observes the {@link AdapterRegistry}: metrics, logs, freshness accounting, tests. Calls come from the
 * thread that caused the event (the owner's thread for swaps; for {@link #released}, whichever thread
 * dropped the last pin), so implementations must be quick and thread-safe, and must not call back into
 * the registry's mutating methods.
 */
public interface RegistryListener {

    /** How a version came to be served. */
    enum SwapKind { PROMOTE, ROLLBACK, RESTORE }

    RegistryListener NONE = new RegistryListener() {};

    /** {@code tenant} is now served from {@code version} (was {@code previous}, -1 if it had none). */
    default void served(String tenant, long previous, long version, SwapKind kind) {}

    /** The gate refused a candidate. */
    default void rejected(String tenant, long version, GateVerdict verdict) {}

    /** A version's native memory was allocated (loaded or handed over). */
    default void resident(String tenant, long version) {}

    /** A version's native memory was released: it was retired and its last pin dropped. */
    default void released(String tenant, long version) {}
}
