package dev.freshet.server.training;

import dev.freshet.adaptation.train.StepResult;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;

/**
 * What the training worker tells observers (metrics, logs, tests). Every method has a no-op default,
 * is called on the training thread, and must return quickly.
 */
public interface TrainingEvents {

    /** Observes nothing. */
    TrainingEvents NONE = new TrainingEvents() {};

    /**
     * One gradient step ran (applied, or refused for a non-finite loss).
     *
     * @param method the learner's method name, e.g. {@code uniform}
     * @param tokens predicted tokens in the step
     * @param nanos the step's duration, yielding excluded
     */
    default void stepped(TenantId tenant, String method, StepResult result, int tokens, long nanos) {}

    /** Training waited this long for serving before a step. */
    default void yielded(long nanos) {}

    /** A record was skipped because a stored version already covers it. */
    default void skipped(WorkItem item) {}

    /** A record was refused during training and handed to the dead-letter topic. */
    default void refused(WorkItem item, Rejection rejection) {}

    /** A version became durable: the sink accepted it. */
    default void versioned(TenantId tenant, long version, CoveredRecords covered, RoundMetrics metrics) {}

    /** The sink failed; the round's records stay pending and go into the tenant's next version. */
    default void sinkFailed(TenantId tenant, long version, IOException error) {}
}
