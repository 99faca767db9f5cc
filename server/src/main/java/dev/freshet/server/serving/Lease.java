package dev.freshet.server.serving;

import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.ParameterSource;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's pin on the adapter version it started with. While the lease is open that version's native
 * memory stays allocated even if a newer version is promoted meanwhile; close it (try-with-resources)
 * when the request is done. Closing twice is harmless.
 */
public final class Lease implements AutoCloseable {

    private final Resident resident;
    private final ParameterSource parameters;
    private final Adaptation adaptation;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Chooses the form once, so one request never mixes the fused and the applied adapter. */
    Lease(Resident resident, ParameterSource baseWeights) {
        this.resident = resident;
        ParameterSource fused = resident.fusedParameters();
        this.parameters = fused != null ? fused : baseWeights;
        this.adaptation = fused != null ? Adaptation.NONE : resident.adaptation();
    }

    /** {@code base} or the tenant this lease serves. */
    public String model() {
        return resident.tenant;
    }

    /** The pinned version (0 = the base model). */
    public long version() {
        return resident.version;
    }

    /** The adaptation to pass to the model with {@link #parameters()} for this request. */
    public Adaptation adaptation() {
        requireOpen();
        return adaptation;
    }

    /** The parameters to pass to the model: the base weights, or the version's fused form. */
    public ParameterSource parameters() {
        requireOpen();
        return parameters;
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("lease on " + resident.tenant + " v" + resident.version + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            resident.release();
        }
    }
}
