package dev.freshet.server.training;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Passed before every gradient step: gives way to serving while requests wait, and ends the round
 * when the worker is stopping. Steps are the only preemption points; a step in progress always
 * finishes, so the adapter is never left half-updated.
 */
final class StepGate {

    /** Thrown out of a learner when the worker stops mid-round; the round's records stay un-durable. */
    static final class RoundAbandoned extends RuntimeException {
        RoundAbandoned() {
            super("training worker stopping", null, false, false);
        }
    }

    // Short enough that a yielding trainer resumes within a fraction of a step after the queue empties.
    private static final long PARK_NANOS = 500_000;

    private final ServingPressure pressure;
    private final long maxYieldNanos;
    private final BooleanSupplier stopping;
    private final TrainingEvents events;

    StepGate(ServingPressure pressure, Duration maxYield, BooleanSupplier stopping, TrainingEvents events) {
        this.pressure = pressure;
        this.maxYieldNanos = maxYield.toNanos();
        this.stopping = stopping;
        this.events = events;
    }

    /**
     * Returns when the next step may run: at once if no request waits, else when none does or after
     * the maximum yield.
     *
     * @throws RoundAbandoned if the worker is stopping
     */
    void awaitTurn() {
        long start = System.nanoTime();
        boolean yielded = false;
        while (true) {
            if (stopping.getAsBoolean()) {
                throw new RoundAbandoned();
            }
            if (!pressure.requestsWaiting() || System.nanoTime() - start >= maxYieldNanos) {
                break;
            }
            yielded = true;
            LockSupport.parkNanos(PARK_NANOS);
        }
        if (yielded) {
            events.yielded(System.nanoTime() - start);
        }
    }
}
