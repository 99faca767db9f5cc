package dev.freshet.server.training;

import dev.freshet.streams.record.Rejection;
import org.apache.kafka.common.TopicPartition;

/**
 * What a {@link KafkaIntake} observes, for metrics. Called on the consumer thread: keep it quick.
 * Records that reach the trainer are reported through {@link TrainingEvents} instead.
 */
public interface IntakeEvents {

    IntakeEvents NONE = new IntakeEvents() {};

    /**
     * A record was refused before training (malformed JSON, missing field, bad tenant, too long, ...) and
     * sent to the dead-letter topic.
     *
     * @param tenant the record's tenant, or {@code "invalid"} when its key is not a tenant id
     */
    default void deadLettered(String topic, String tenant, Rejection rejection) {}

    /** After a poll: records between this consumer's position and the end of the partition. */
    default void lag(TopicPartition partition, long records) {}

    /** After a poll: records waiting in the training queue. */
    default void queued(int records) {}
}
