package dev.freshet.streams.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * At-least-once: a partition's offset is committed only past records whose outcome is durable, and
 * only up to the first record that is not (records may finish out of order, e.g. a dead letter is
 * acknowledged before the adapter version covering the documents before it).
 *
 * <h2>What can be seen twice after a crash</h2>
 *
 * Offsets are committed only after the adapter version covering them is durable, and a commit
 * always lags that moment. So after a crash (or a rebalance), every record after the last committed
 * offset is delivered again:
 *
 * <ul>
 *   <li><b>Records already in a durable adapter version</b> (the crash fell between making the
 *       version durable and committing). They must not be trained on twice: the consumer skips
 *       every re-delivered record whose id is in the covered ids of the tenant's latest durable
 *       adapter version, and reports it {@link #durable} at once.
 *   <li><b>Records that were being trained on</b> but were in no durable version. Their effect died
 *       with the process, so processing them again is not a duplicate in effect.
 *   <li><b>Refused records</b> whose dead letter was acknowledged: they are dead-lettered again. The
 *       dead-letter topic can therefore hold duplicates, recognisable by equal
 *       {@code freshet.source.topic}, {@code .partition} and {@code .offset} headers.
 * </ul>
 *
 * No record is ever skipped without its outcome being durable, so nothing is lost. Thread-safe.
 */
public final class CommitAfterDurable implements CommitPolicy {

    /** Per partition, what is consumed but not yet committable, and the committable position. */
    private static final class PartitionState {
        /** Consumed offsets at or after the committable position, mapped to whether each is durable. */
        final TreeMap<Long, Boolean> pending = new TreeMap<>();
        /** The offset of the next record to read once every durable prefix is committed; -1 before any. */
        long committable = -1;
        /** The last offset returned by {@link #offsetsToCommit()}; -1 before any. */
        long returned = -1;
    }

    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();

    @Override
    public synchronized void consumed(TopicPartition partition, long offset) {
        PartitionState state = partitions.computeIfAbsent(partition, p -> new PartitionState());
        if (offset >= state.committable) {
            state.pending.putIfAbsent(offset, Boolean.FALSE);
        }
    }

    @Override
    public synchronized void durable(TopicPartition partition, long offset) {
        PartitionState state = partitions.get(partition);
        if (state == null || offset < state.committable) {
            return; // forgotten in a rebalance, or reported twice
        }
        if (state.pending.replace(offset, Boolean.TRUE) == null) {
            throw new IllegalStateException(partition + "@" + offset + " was reported durable but never consumed");
        }
        // Advance over the durable prefix; the first record that is not durable holds the commit back.
        while (!state.pending.isEmpty() && state.pending.firstEntry().getValue()) {
            state.committable = state.pending.pollFirstEntry().getKey() + 1;
        }
    }

    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> offsetsToCommit() {
        Map<TopicPartition, OffsetAndMetadata> ready = new HashMap<>();
        partitions.forEach((partition, state) -> {
            if (state.committable > state.returned) {
                ready.put(partition, new OffsetAndMetadata(state.committable));
                state.returned = state.committable;
            }
        });
        return ready;
    }

    @Override
    public synchronized void forget(Collection<TopicPartition> revoked) {
        revoked.forEach(partitions::remove);
    }
}
