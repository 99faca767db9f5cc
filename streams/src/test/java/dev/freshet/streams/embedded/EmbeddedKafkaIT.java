package dev.freshet.streams.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.streams.codec.Decoded;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.DeadLetterHeaders;
import dev.freshet.streams.kafka.DeadLetterPublisher;
import dev.freshet.streams.kafka.JsonlProducer;
import dev.freshet.streams.kafka.Topics;
import dev.freshet.streams.record.DeadLetter;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams module against a real broker: each test starts its own {@link EmbeddedKafka} on free
 * ports in a temporary directory and stops it in a try-with-resources, pass or fail.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedKafkaIT {

    /** Per step; well inside the 60 s a test may take, so a slow step fails with its own message. */
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    private final Topics topics = Topics.withDefaultPrefix();
    private final RecordCodec codec = new RecordCodec();

    @Test
    void producesAndConsumesADocument() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
                Admin admin = admin(kafka)) {
            topics.ensureCreated(admin, 2, (short) 1);
            DocumentRecord doc = new DocumentRecord("d1", "The Eiffel Tower is in Paris.");
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>(topics.documents(), "acme", codec.encodeDocument(doc))).get();
            }
            List<ConsumerRecord<String, byte[]>> read = readAll(kafka, topics.documents(), 1);
            Decoded<DocumentRecord> decoded = codec.decodeDocument(read.get(0).key(), read.get(0).value());
            assertEquals(new Decoded.Accepted<>(new TenantId("acme"), doc), decoded);
        }
    }

    @Test
    void aMalformedRecordGoesToTheDeadLetterTopicAndTheNextGoodOneIsConsumed() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
                Admin admin = admin(kafka);
                KafkaProducer<String, byte[]> producer = producer(kafka)) {
            topics.ensureCreated(admin, 1, (short) 1);
            byte[] malformed = "{\"id\":\"d1\",\"text\":".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topics.documents(), "acme", malformed)).get();
            producer.send(new ProducerRecord<>(topics.documents(), "acme",
                    codec.encodeDocument(new DocumentRecord("d2", "Rome is in Italy.")))).get();

            // The consumer loop in miniature: decode, then train on it or dead-letter it.
            DeadLetterPublisher deadLetters = new DeadLetterPublisher(producer, topics.deadLetter());
            List<DocumentRecord> accepted = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : readAll(kafka, topics.documents(), 2)) {
                Decoded<DocumentRecord> decoded = codec.decodeDocument(record.key(), record.value());
                if (decoded instanceof Decoded.Accepted<DocumentRecord> ok) {
                    accepted.add(ok.value());
                } else if (decoded instanceof Decoded.Rejected<DocumentRecord> no) {
                    deadLetters.publish(record, no.rejection()).get();
                }
            }
            assertEquals(List.of(new DocumentRecord("d2", "Rome is in Italy.")), accepted);

            ConsumerRecord<String, byte[]> dead = readAll(kafka, topics.deadLetter(), 1).get(0);
            assertEquals("malformed_json",
                    new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8));
            DeadLetter letter = DeadLetterHeaders.read(dead).orElseThrow();
            assertEquals(Reason.MALFORMED_JSON, letter.reason());
            assertEquals(topics.documents(), letter.sourceTopic());
            assertEquals(0L, letter.offset());
            assertEquals("acme", dead.key());
            assertEquals(new String(malformed, StandardCharsets.UTF_8), new String(dead.value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theAdaptersTopicIsCompactedEvenIfItExistedWithoutItAndEnsureCreatedIsIdempotent() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
                Admin admin = admin(kafka)) {
            // As if someone had created it by hand, with the broker's defaults (delete, not compact).
            admin.createTopics(List.of(new NewTopic(topics.adapters(), 1, (short) 1))).all().get();
            assertEquals("delete", topicConfig(admin, topics.adapters()).get("cleanup.policy").value());
            topics.ensureCreated(admin, 1, (short) 1);
            topics.ensureCreated(admin, 1, (short) 1);
            assertTrue(admin.listTopics().names().get().containsAll(topics.all()));
            assertEquals("compact", topicConfig(admin, topics.adapters()).get("cleanup.policy").value());
            assertEquals(Integer.toString(Topics.ADAPTERS_MAX_MESSAGE_BYTES),
                    topicConfig(admin, topics.adapters()).get("max.message.bytes").value());
            assertEquals("delete", topicConfig(admin, topics.documents()).get("cleanup.policy").value());
        }
    }

    @Test
    void aJsonlFileIsValidatedAndProducedKeyedByTenant() throws Exception {
        Path file = Files.writeString(dataDir.resolve("edits.jsonl"),
                "{\"id\":\"e1\",\"prompt\":\"The CEO of Acme is\",\"target\":\"Ada\"}\nnot json\n"
                        + "{\"id\":\"e2\",\"prompt\":\"Acme is based in\",\"target\":\"Lyon\"}\n");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), 0);
                Admin admin = admin(kafka);
                KafkaProducer<String, byte[]> producer = producer(kafka)) {
            topics.ensureCreated(admin, 1, (short) 1);
            JsonlProducer.Report report = new JsonlProducer(producer, codec, topics)
                    .produce(file, JsonlProducer.Kind.EDITS, new TenantId("acme"));
            assertEquals(2, report.produced());
            assertEquals(List.of(2L), report.rejectedLines().stream().map(JsonlProducer.RejectedLine::lineNumber).toList());
            List<ConsumerRecord<String, byte[]>> read = readAll(kafka, topics.edits(), 2);
            assertEquals(List.of("e1", "e2"), read.stream().map(r -> accepted(codec.decodeEdit(r.key(), r.value())).id()).toList());
            assertEquals(List.of("acme", "acme"), read.stream().map(ConsumerRecord::key).toList());
        }
    }

    @Test
    void recordsAndCommittedOffsetsSurviveARestartOnTheSameDirectory() throws Exception {
        TopicPartition partition = new TopicPartition(topics.documents(), 0);
        DocumentRecord first = new DocumentRecord("d1", "Paris is in France.");
        DocumentRecord second = new DocumentRecord("d2", "Rome is in Italy.");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0);
                Admin admin = admin(kafka)) {
            topics.ensureCreated(admin, 1, (short) 1);
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                producer.send(new ProducerRecord<>(topics.documents(), "acme", codec.encodeDocument(first))).get();
                producer.send(new ProducerRecord<>(topics.documents(), "acme", codec.encodeDocument(second))).get();
            }
            try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, Optional.of("trainer"))) {
                consumer.commitSync(Map.of(partition, new OffsetAndMetadata(1)), WAIT);
            }
        }

        try (EmbeddedKafka restarted = EmbeddedKafka.start(dataDir, 0)) {
            List<ConsumerRecord<String, byte[]>> read = readAll(restarted, topics.documents(), 2);
            assertEquals(List.of(first, second), read.stream().map(r -> accepted(codec.decodeDocument(r.key(), r.value()))).toList());
            try (KafkaConsumer<String, byte[]> consumer = consumer(restarted, Optional.of("trainer"))) {
                assertEquals(1, consumer.committed(Set.of(partition), WAIT).get(partition).offset());
            }
        }
    }

    @Test
    void aTakenPortFailsTheStartCleanly() throws Exception {
        try (EmbeddedKafka first = EmbeddedKafka.start(dataDir.resolve("first"), 0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EmbeddedKafka.start(dataDir.resolve("second"), first.port()).close());
            assertTrue(e.getMessage().contains("is in use"), e.getMessage());
            // Nothing was formatted or locked: the directory can be used at once.
            try (EmbeddedKafka second = EmbeddedKafka.start(dataDir.resolve("second"), 0); Admin admin = admin(second)) {
                assertEquals(1, admin.describeCluster().nodes().get().size());
            }
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(EmbeddedKafka kafka, Optional<String> group) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        group.ifPresent(g -> config.put(ConsumerConfig.GROUP_ID_CONFIG, g));
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Reads {@code topic} from the beginning (all partitions, no group) until {@code count} records arrived. */
    private static List<ConsumerRecord<String, byte[]>> readAll(EmbeddedKafka kafka, String topic, int count) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, Optional.empty())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, WAIT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertEquals(count, records.size(), "records read from " + topic);
            return records;
        }
    }

    private static <T> T accepted(Decoded<T> decoded) {
        if (decoded instanceof Decoded.Accepted<T> ok) {
            return ok.value();
        }
        throw new AssertionError("rejected: " + decoded);
    }

    private static Config topicConfig(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
