package dev.freshet.server.serving;

import dev.freshet.adaptation.model.Adaptation;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Decides whether a candidate adapter version may replace the served one. Called by
 * {@link AdapterRegistry#offer} on the caller's (training) thread with both versions pinned; it may take
 * seconds. A gate that throws counts as a rejection.
 */
@FunctionalInterface
public interface QualityGate {

    /** Passes everything: for tests, and for deployments that choose to gate elsewhere. */
    QualityGate ALWAYS_PASS = (served, servedVersion, candidate, candidateVersion) -> GateVerdict.unchecked(servedVersion);

    /**
     * Both adaptations are immutable versions, and the registry serves a promoted candidate through the
     * same {@link Adaptation} object it offered, so a gate may remember a version's measurements by that
     * object's identity. Never pass a live (still training) adaptation.
     *
     * @param served the version served now (the base model when the tenant has none)
     * @param candidate the version offered
     */
    GateVerdict evaluate(Adaptation served, long servedVersion, Adaptation candidate, long candidateVersion);

    /**
     * This gate, giving way to serving between its measurements: while {@code requestsWaiting} says yes it
     * waits, up to {@code maxWait} each time, as training does between steps. A gate that measures nothing
     * returns itself.
     */
    default QualityGate yieldingTo(BooleanSupplier requestsWaiting, Duration maxWait) {
        return this;
    }
}
