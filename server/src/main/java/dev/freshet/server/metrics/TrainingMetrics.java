package dev.freshet.server.metrics;

import dev.freshet.adaptation.train.StepResult;
import dev.freshet.server.training.CoveredRecords;
import dev.freshet.server.training.IntakeEvents;
import dev.freshet.server.training.RegistrySink;
import dev.freshet.server.training.RoundMetrics;
import dev.freshet.server.training.TrainingEvents;
import dev.freshet.server.training.WorkItem;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.TopicPartition;

/**
 * Feeds the trainer's events into {@link FreshetMetrics}: steps, tokens, step duration and loss per step;
 * records consumed (counted when the trainer has decided on them: covered by a version, skipped as already
 * covered, or refused) and refused records dead-lettered; and freshness, from each record's Kafka timestamp
 * to the promotion of the first version that serves it ({@link RegistrySink.Listener}).
 *
 * <p>Records the consumers dead-letter at decode time never reach the trainer; the consumers report them
 * ({@link IntakeEvents}), with each partition's lag and the training queue's depth.
 */
public final class TrainingMetrics implements TrainingEvents, IntakeEvents, RegistrySink.Listener {

    private final FreshetMetrics metrics;
    private final Clock clock;

    public TrainingMetrics(FreshetMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void stepped(TenantId tenant, String method, StepResult result, int tokens, long nanos) {
        metrics.stepDuration().labelValues(method).observe(nanos / 1e9);
        if (result.applied()) {
            metrics.adaptationSteps().labelValues(tenant.value(), method).inc();
            metrics.adaptationTokens().labelValues(tenant.value(), method).inc(tokens);
            metrics.trainingLoss().labelValues(tenant.value(), method).set(result.loss());
        }
    }

    @Override
    public void skipped(WorkItem item) {
        metrics.recordsConsumed().labelValues(item.origin().topic(), item.tenant().value()).inc();
    }

    @Override
    public void refused(WorkItem item, Rejection rejection) {
        metrics.recordsConsumed().labelValues(item.origin().topic(), item.tenant().value()).inc();
        metrics.recordsDeadLettered().labelValues(item.origin().topic(), item.tenant().value(),
                rejection.reason().name().toLowerCase(Locale.ROOT)).inc();
    }

    @Override
    public void gateRejected(TenantId tenant, long version, List<WorkItem> records, String verdict) {
        for (WorkItem item : records) { // consumed already, when they trained
            metrics.recordsDeadLettered().labelValues(item.origin().topic(), tenant.value(), Reason.GATE_REJECTED.headerValue()).inc();
        }
    }

    @Override
    public void deadLettered(String topic, String tenant, Rejection rejection) {
        metrics.recordsConsumed().labelValues(topic, tenant).inc();
        metrics.recordsDeadLettered().labelValues(topic, tenant, rejection.reason().name().toLowerCase(Locale.ROOT)).inc();
    }

    @Override
    public void lag(TopicPartition partition, long records) {
        metrics.consumerLag().labelValues(partition.topic(), Integer.toString(partition.partition())).set(records);
    }

    @Override
    public void queued(int records) {
        metrics.trainingQueue().set(records);
    }

    @Override
    public void versioned(TenantId tenant, long version, CoveredRecords covered, RoundMetrics round) {
        covered.records().forEach(e -> metrics.recordsConsumed().labelValues(e.topic(), tenant.value()).inc());
    }

    @Override
    public void servedRecords(TenantId tenant, long version, List<CoveredRecords.Entry> records) {
        long now = clock.millis();
        for (CoveredRecords.Entry e : records) {
            if (e.timestampMs() > 0) {
                metrics.freshness().labelValues(tenant.value()).observe(Math.max(0, now - e.timestampMs()) / 1000.0);
            }
        }
    }
}
