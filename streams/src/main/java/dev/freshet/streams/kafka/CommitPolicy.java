package dev.freshet.streams.kafka;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Decides which consumer offsets may be committed, from what has happened to each consumed record.
 * A policy is the single place that defines Freshet's delivery guarantee; its Javadoc must say what
 * a consumer can see twice after a crash.
 *
 * <p>The consumer loop calls {@link #consumed} for every polled record before handing it on, the
 * code that finishes records calls {@link #durable}, and the consumer loop periodically commits
 * {@link #offsetsToCommit()} on the consumer's own thread. Implementations are thread-safe.
 */
public interface CommitPolicy {

    /**
     * A record was polled. Call this before the record is handed to anything that may call
     * {@link #durable} for it.
     */
    void consumed(TopicPartition partition, long offset);

    /**
     * The outcome of the record at this position is durable: it is covered by an adapter version
     * that is durably stored and published, its dead letter was acknowledged, or it was skipped as
     * already covered. Calls for partitions that were {@linkplain #forget forgotten} are ignored.
     *
     * @throws IllegalStateException if the record was never passed to {@link #consumed}
     */
    void durable(TopicPartition partition, long offset);

    /**
     * The offsets that may be committed now, for the partitions that progressed since the last call:
     * each the offset of the next record to read. Each offset is returned once; if committing it
     * fails, only the window of re-delivery grows, so the next progress will retry.
     */
    Map<TopicPartition, OffsetAndMetadata> offsetsToCommit();

    /**
     * The partitions were revoked or lost; drop what is known about them. Commit
     * {@link #offsetsToCommit()} first where the rebalance allows it.
     */
    void forget(Collection<TopicPartition> partitions);
}
