package dev.freshet.server.training;

import java.util.Objects;

/**
 * Where a record came from, and where to report its outcome.
 *
 * @param topic the Kafka topic
 * @param partition its partition
 * @param offset its offset there
 * @param timestampMs the record's Kafka timestamp, for freshness (record to served version)
 * @param receipt where the worker reports the record durable or refused
 */
public record Origin(String topic, int partition, long offset, long timestampMs, Receipt receipt) {

    /** @throws IllegalArgumentException for a negative position */
    public Origin {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(receipt, "receipt");
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be >= 0, got " + partition + " and " + offset);
        }
    }
}
