package dev.freshet.loadtest.internal;

import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.Topics;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces documents and edits to the server's topics, keyed by tenant, each stamped with the wall-clock
 * time it was sent: the start of its freshness. Sends are synchronous (acks=all): a record counts as
 * produced once the broker has it, so a failed send is an error here rather than a "lost" record later.
 */
public final class Feeder implements AutoCloseable {

    private final Producer<String, byte[]> producer;
    private final Topics topics;
    private final RecordCodec codec = new RecordCodec();

    public Feeder(String bootstrap, Topics topics) {
        this.topics = topics;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.CLIENT_ID_CONFIG, "freshet-loadtest"), new StringSerializer(),
                new ByteArraySerializer());
    }

    /** Sends a document; returns its produce time (epoch ms) and record key {@code documents:id}. */
    public Sent document(String tenant, DocumentRecord d) {
        return send(topics.documents(), tenant, codec.encodeDocument(d), "documents:" + d.id());
    }

    /** Sends an edit; returns its produce time (epoch ms) and record key {@code edits:id}. */
    public Sent edit(String tenant, EditRecord e) {
        return send(topics.edits(), tenant, codec.encodeEdit(e), "edits:" + e.id());
    }

    /** One produced record: its key ({@code kind:id}), tenant and produce time. */
    public record Sent(String key, String tenant, long producedAtMs) {}

    private Sent send(String topic, String tenant, byte[] value, String key) {
        long now = System.currentTimeMillis();
        try {
            producer.send(new ProducerRecord<>(topic, null, now, tenant, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing " + key, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not produce " + key + " to " + topic, e.getCause());
        }
        return new Sent(key, tenant, now);
    }

    @Override
    public void close() {
        producer.close();
    }
}
