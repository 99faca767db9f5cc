package dev.freshet.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.streams.record.DeadLetter;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class DeadLetterPublisherTest {

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final DeadLetterPublisher publisher = new DeadLetterPublisher(producer, "freshet.dead-letter");

    @Test
    void producesTheOriginalBytesWithReasonAndSourceHeaders() throws Exception {
        byte[] value = "{\"id\":".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<String, byte[]> source = new ConsumerRecord<>("freshet.documents", 2, 41L, "acme", value);
        publisher.publish(source, new Rejection(Reason.MALFORMED_JSON, "value is not valid JSON")).get();

        ProducerRecord<String, byte[]> sent = producer.history().get(0);
        assertEquals("freshet.dead-letter", sent.topic());
        assertEquals("acme", sent.key());
        assertArrayEquals(value, sent.value());
        assertEquals("malformed_json", header(sent, DeadLetterHeaders.REASON));
        assertEquals("value is not valid JSON", header(sent, DeadLetterHeaders.DETAIL));
        assertEquals("freshet.documents", header(sent, DeadLetterHeaders.SOURCE_TOPIC));
        assertEquals("2", header(sent, DeadLetterHeaders.SOURCE_PARTITION));
        assertEquals("41", header(sent, DeadLetterHeaders.SOURCE_OFFSET));
    }

    @Test
    void headersReadBackIntoTheSameDeadLetter() throws Exception {
        DeadLetter letter = new DeadLetter("freshet.edits", 0, 7, null, null, Reason.EMPTY_TEXT, "field 'prompt' is blank");
        publisher.publish(letter).get();
        ProducerRecord<String, byte[]> sent = producer.history().get(0);
        ConsumerRecord<String, byte[]> received = new ConsumerRecord<>(sent.topic(), 0, 0L, sent.key(), sent.value());
        sent.headers().forEach(h -> received.headers().add(h));
        assertEquals(Optional.of(letter), DeadLetterHeaders.read(received));
        assertEquals(Optional.empty(), DeadLetterHeaders.read(new ConsumerRecord<>("t", 0, 0L, "k", new byte[0])));
    }

    @Test
    void cutsAVeryLongDetail() throws Exception {
        publisher.publish(new DeadLetter("t", 0, 0, "k", new byte[0], Reason.PROCESSING_FAILED, "x".repeat(5000))).get();
        assertEquals(DeadLetterHeaders.MAX_DETAIL_CHARS, header(producer.history().get(0), DeadLetterHeaders.DETAIL).length());
    }

    @Test
    void failsTheFutureWhenTheBrokerRefuses() {
        MockProducer<String, byte[]> manual = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        CompletableFuture<RecordMetadata> acked = new DeadLetterPublisher(manual, "dl")
                .publish(new DeadLetter("t", 0, 0, "k", new byte[0], Reason.NAN_LOSS, "loss is NaN"));
        manual.errorNext(new RuntimeException("broker down"));
        ExecutionException e = assertThrows(ExecutionException.class, acked::get);
        assertTrue(e.getCause().getMessage().contains("broker down"));
    }

    private static String header(ProducerRecord<String, byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
