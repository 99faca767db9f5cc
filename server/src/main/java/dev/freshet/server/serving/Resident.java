package dev.freshet.server.serving;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ParameterSource;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One version in memory with a reference count: one reference for being in the serving snapshot plus one
 * per open {@link Lease}. The adapter's native memory is closed when the count reaches zero, and a count
 * that reached zero never rises again, so a request can never pin a closed adapter.
 */
final class Resident {

    final String tenant;
    final long version;
    private final Adapter adapter; // null for version 0: the base model owns no adapter memory
    private final Adaptation adaptation;
    private final RegistryListener listener;
    private final AtomicInteger refs = new AtomicInteger(1); // the snapshot's reference
    private Adapter.Fused fused; // guarded by this; freed with the adapter
    private boolean released; // guarded by this

    Resident(String tenant, long version, Adapter adapter, RegistryListener listener) {
        this.tenant = tenant;
        this.version = version;
        this.adapter = adapter;
        this.adaptation = adapter == null ? Adaptation.NONE : adapter.adaptation();
        this.listener = listener;
        if (adapter != null) {
            listener.resident(tenant, version);
        }
    }

    Adaptation adaptation() {
        return adaptation;
    }

    /** The fused parameters if this version has been fused, else null (serve through {@link #adaptation()}). */
    synchronized ParameterSource fusedParameters() {
        return fused == null ? null : fused.parameters();
    }

    /**
     * Fuses the adapter into a copy of the adapted base matrices, unless it is the base model, already fused,
     * or already released. Leases taken from now on serve from the fused form; those already open keep the
     * applied form, which gives the same outputs. The copy is freed with the adapter.
     *
     * @return whether this call fused it
     */
    boolean fuse(LanguageModel base) {
        if (adapter == null) {
            return false;
        }
        synchronized (this) {
            if (fused != null || released) {
                return false;
            }
            fused = adapter.fuse(base); // under the lock: a concurrent last release waits, then frees it
            return true;
        }
    }

    /**
     * Pins this version unless it has already been released. A failed pin means the snapshot that led here
     * has been replaced (retirement follows the swap), so the caller re-reads the snapshot.
     */
    boolean tryRetain() {
        while (true) {
            int n = refs.get();
            if (n == 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Drops one reference; the last one closes the adapter. */
    void release() {
        int n = refs.decrementAndGet();
        if (n == 0) {
            synchronized (this) {
                released = true;
                if (fused != null) {
                    fused.close();
                }
            }
            if (adapter != null) {
                adapter.close();
                listener.released(tenant, version);
            }
        } else if (n < 0) {
            throw new IllegalStateException("adapter " + tenant + " v" + version + " released more often than retained");
        }
    }

    /** Current pins plus the snapshot's reference (0 once released), for tests and diagnostics. */
    int references() {
        return refs.get();
    }
}
