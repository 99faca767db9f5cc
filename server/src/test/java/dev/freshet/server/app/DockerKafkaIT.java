package dev.freshet.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.http.HttpConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The server against Apache Kafka's own container image, where a Docker engine exists (otherwise JUnit
 * reports this class as skipped, never as passed): the broker users run in production, not the embedded
 * one. A document becomes a served version, and a malformed record is dead-lettered while the stream goes on.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DockerKafkaIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @TempDir
    Path dir;

    @Test
    void aDocumentBecomesAServedVersionOnAContainerisedBroker() throws Exception {
        try (LanguageModel model = LanguageModel.loadDefault(Devices.select("cpu"));
                Freshet freshet = Freshet.start(Freshet.Options.defaults(dir, 0, HttpConfig.defaults().withHost("127.0.0.1").withPort(0))
                        .withKafka(KAFKA.getBootstrapServers()).withTopics("tc", 2).withGate(Gates::none)
                        .withTraining(s -> s.withBatching(8, Duration.ofMillis(100), 64)), model);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        KAFKA.getBootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("tc.documents", "docker", "{not json".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>("tc.documents", "docker",
                    "{\"id\":\"d1\",\"text\":\"Kaxzek Kukpum was born in Losax.\"}".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (freshet.registry().servedVersion("docker") < 1) {
                assertTrue(System.nanoTime() < deadline, "the document was not served within 120 s");
                Thread.sleep(100);
            }
            assertEquals(1, freshet.registry().servedVersion("docker"));
            String metrics = new String(freshet.metrics().scrape(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("reason=\"malformed_json\""), "the malformed record was dead-lettered");
        }
    }
}
