package dev.freshet.server.serving;

/**
 * Where one adapter version stands. A version's weights never change; only its state does, and only the
 * {@link AdapterRegistry} changes it.
 *
 * <pre>
 *   LOADED ──gate passes / promote──▶ SERVING ──newer version or rollback──▶ RETIRED
 *     │                                  ▲                                      │
 *     └──gate fails──▶ REJECTED          └──────────── rollback ────────────────┘
 * </pre>
 */
public enum AdapterState {
    /** In memory (being gated), not yet served. */
    LOADED,
    /** The version its tenant's requests start on. */
    SERVING,
    /** Served before; its native memory is released once the last request pinning it finishes. */
    RETIRED,
    /** The quality gate refused it; it was never served. */
    REJECTED
}
