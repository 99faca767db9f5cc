package dev.freshet.server.training;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Forms micro-batches from the {@link TrainingQueue}: a batch closes when it holds
 * {@code maxRecords} items, or {@code maxDelay} after its oldest item was <em>queued</em>, whichever
 * comes first. Measuring from the queueing time (not from when the worker got to it) means records
 * that piled up during a long round go into the next batch at once instead of waiting again.
 *
 * <p>Used by the training thread only.
 */
final class MicroBatcher {

    private final TrainingQueue queue;
    private final int maxRecords;
    private final long maxDelayNanos;
    private final long idleNanos;

    /**
     * @param idle how long {@link #next()} waits for a first item before returning an empty batch,
     *     so its caller can notice a stop request
     */
    MicroBatcher(TrainingQueue queue, int maxRecords, Duration maxDelay, Duration idle) {
        this.queue = queue;
        this.maxRecords = maxRecords;
        this.maxDelayNanos = maxDelay.toNanos();
        this.idleNanos = idle.toNanos();
    }

    /** The next batch in queue order; empty if nothing arrived within the idle time. */
    List<WorkItem> next() throws InterruptedException {
        TrainingQueue.Stamped first = queue.poll(idleNanos, TimeUnit.NANOSECONDS);
        if (first == null) {
            return List.of();
        }
        List<WorkItem> batch = new ArrayList<>(maxRecords);
        batch.add(first.item());
        long deadline = first.queuedAtNanos() + maxDelayNanos;
        while (batch.size() < maxRecords) {
            // Past the deadline, still take whatever is already queued (wait 0), up to the size limit.
            long wait = Math.max(0, deadline - queue.now());
            TrainingQueue.Stamped next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next.item());
        }
        return batch;
    }
}
