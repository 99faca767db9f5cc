package dev.freshet.server.serving;

import dev.freshet.adaptation.model.Adaptation;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's pin on the adapter version it started with. While the lease is open that version's native
 * memory stays allocated even if a newer version is promoted meanwhile; close it (try-with-resources)
 * when the request is done. Closing twice is harmless.
 */
public final class Lease implements AutoCloseable {

    private final Resident resident;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lease(Resident resident) {
        this.resident = resident;
    }

    /** {@code base} or the tenant this lease serves. */
    public String model() {
        return resident.tenant;
    }

    /** The pinned version (0 = the base model). */
    public long version() {
        return resident.version;
    }

    /** What to pass to the model for this request. */
    public Adaptation adaptation() {
        if (closed.get()) {
            throw new IllegalStateException("lease on " + resident.tenant + " v" + resident.version + " is closed");
        }
        return resident.adaptation();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            resident.release();
        }
    }
}
