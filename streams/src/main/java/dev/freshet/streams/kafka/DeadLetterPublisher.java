package dev.freshet.streams.kafka;

import dev.freshet.streams.record.DeadLetter;
import dev.freshet.streams.record.Rejection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Produces refused records to the dead-letter topic: the original key and value byte for byte, with
 * the reason and source position in {@link DeadLetterHeaders}.
 *
 * <p>A refused record counts as finished for the {@link CommitPolicy} only once its dead letter is
 * acknowledged, i.e. when the returned future completes; a dead letter is therefore never lost, but
 * may be written twice after a crash (see {@link CommitAfterDurable}).
 *
 * <p>The producer is shared, not owned: closing it is the caller's business. Use
 * {@code acks=all} so an acknowledged dead letter is durable.
 */
public final class DeadLetterPublisher {

    private final Producer<String, byte[]> producer;
    private final String topic;

    /** Publishes with {@code producer} to {@code topic}, normally {@link Topics#deadLetter()}. */
    public DeadLetterPublisher(Producer<String, byte[]> producer, String topic) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** Sends {@code letter}; the future completes when the broker acknowledges it, or fails. */
    public CompletableFuture<RecordMetadata> publish(DeadLetter letter) {
        // Same key as the source, so one tenant's dead letters stay in order in one partition.
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(topic, null, letter.key(), letter.value(), DeadLetterHeaders.of(letter));
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            // send() throws for a closed producer or a full buffer; report it the same way as a nack.
            acked.completeExceptionally(e);
        }
        return acked;
    }

    /** Sends the consumed {@code source} record, refused for {@code rejection}. */
    public CompletableFuture<RecordMetadata> publish(ConsumerRecord<String, byte[]> source, Rejection rejection) {
        return publish(DeadLetter.of(
                source.topic(), source.partition(), source.offset(), source.key(), source.value(), rejection));
    }

    /** The dead-letter topic. */
    public String topic() {
        return topic;
    }
}
