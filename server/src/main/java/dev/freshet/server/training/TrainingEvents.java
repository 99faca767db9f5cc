package dev.freshet.server.training;

import dev.freshet.adaptation.train.StepResult;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.util.List;

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

    /**
     * The quality gate refused a durable version: {@code records} (the ones it held for the first time) are covered
     * but will never be served, and go to the dead-letter topic with the verdict ({@link GateRejectionLetters}).
     */
    default void gateRejected(TenantId tenant, long version, List<WorkItem> records, String verdict) {}

    /** Tells {@code first}, then {@code second}, everything. */
    static TrainingEvents both(TrainingEvents first, TrainingEvents second) {
        return new TrainingEvents() {
            @Override
            public void stepped(TenantId tenant, String method, StepResult result, int tokens, long nanos) {
                first.stepped(tenant, method, result, tokens, nanos);
                second.stepped(tenant, method, result, tokens, nanos);
            }

            @Override
            public void yielded(long nanos) {
                first.yielded(nanos);
                second.yielded(nanos);
            }

            @Override
            public void skipped(WorkItem item) {
                first.skipped(item);
                second.skipped(item);
            }

            @Override
            public void refused(WorkItem item, Rejection rejection) {
                first.refused(item, rejection);
                second.refused(item, rejection);
            }

            @Override
            public void versioned(TenantId tenant, long version, CoveredRecords covered, RoundMetrics metrics) {
                first.versioned(tenant, version, covered, metrics);
                second.versioned(tenant, version, covered, metrics);
            }

            @Override
            public void sinkFailed(TenantId tenant, long version, IOException error) {
                first.sinkFailed(tenant, version, error);
                second.sinkFailed(tenant, version, error);
            }

            @Override
            public void gateRejected(TenantId tenant, long version, List<WorkItem> records, String verdict) {
                first.gateRejected(tenant, version, records, verdict);
                second.gateRejected(tenant, version, records, verdict);
            }
        };
    }
}
