package dev.freshet.server.training;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How the Kafka consumers feeding the trainer connect, poll and commit.
 *
 * @param bootstrapServers {@code kafka.bootstrap}: {@code host:port,...}
 * @param groupPrefix {@code kafka.group}: each consumed topic gets its own consumer group,
 *     {@code <prefix>.<stream>} (e.g. {@code freshet-trainer.documents}), so a rebalance of one stream
 *     never stalls the other
 * @param maxPollRecords {@code kafka.max-poll-records}: records per poll
 * @param pollTimeout {@code kafka.poll-timeout}: how long one poll waits; also bounds how late a
 *     paused consumer notices the drained signal, and how long a stop takes
 * @param commitInterval {@code kafka.commit-interval}: how often durable offsets are committed
 * @param client further Kafka client properties passed through as given ({@code security.protocol},
 *     {@code sasl.*}, {@code ssl.*}, ...), so the trainer can reach a managed, secured cluster
 */
public record IntakeSettings(String bootstrapServers, String groupPrefix, int maxPollRecords, Duration pollTimeout, Duration commitInterval,
        Map<String, String> client) {

    /** Settings with no extra client properties. */
    public IntakeSettings(String bootstrapServers, String groupPrefix, int maxPollRecords, Duration pollTimeout, Duration commitInterval) {
        this(bootstrapServers, groupPrefix, maxPollRecords, pollTimeout, commitInterval, Map.of());
    }

    /** @throws IllegalArgumentException naming the key of the first invalid value */
    public IntakeSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap must name at least one host:port");
        }
        if (groupPrefix == null || groupPrefix.isBlank()) {
            throw new IllegalArgumentException("kafka.group must not be blank");
        }
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("kafka.max-poll-records must be at least 1, got " + maxPollRecords);
        }
        positive(pollTimeout, "kafka.poll-timeout");
        positive(commitInterval, "kafka.commit-interval");
        client = Map.copyOf(Objects.requireNonNull(client, "client"));
    }

    /** Defaults for a broker: group {@code freshet-trainer}, 100 records a poll, 100 ms polls, commits every second. */
    public static IntakeSettings of(String bootstrapServers) {
        return new IntakeSettings(bootstrapServers, "freshet-trainer", 100, Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    /** These settings with another commit interval. */
    public IntakeSettings withCommitInterval(Duration interval) {
        return new IntakeSettings(bootstrapServers, groupPrefix, maxPollRecords, pollTimeout, interval, client);
    }

    /**
     * The consumer configuration for one stream: manual commits only (the commit policy decides),
     * reading from the earliest offset when the group has none, so no record produced before the
     * first start is missed.
     */
    public Map<String, Object> consumerConfig(String stream) {
        Map<String, Object> c = new HashMap<>(client);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + "." + Objects.requireNonNull(stream, "stream"));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, groupPrefix + "-" + stream);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }

    private static void positive(Duration d, String key) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, got " + d);
        }
    }
}
