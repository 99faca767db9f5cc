package dev.freshet.server.training;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;

/**
 * What a consumer does before giving partitions up in a rebalance, so that another trainer can take their
 * tenants over without a record applied twice: the trainer stops training records of those partitions,
 * makes durable what it has trained, and forgets its in-memory tenant state (the next owner resumes from
 * the announced versions). Called on the consumer thread inside the rebalance callback; the consumer
 * commits its durable offsets once the returned stage completes.
 */
@FunctionalInterface
public interface PartitionHandoff {

    PartitionHandoff NONE = partitions -> CompletableFuture.completedFuture(null);

    CompletionStage<Void> release(Collection<TopicPartition> partitions);
}
