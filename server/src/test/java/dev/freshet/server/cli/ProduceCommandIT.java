package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.streams.embedded.EmbeddedKafka;
import dev.freshet.streams.kafka.Topics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/freshet produce} against a real in-process KRaft broker. */
class ProduceCommandIT {

    @Test
    @Timeout(120)
    void producesValidLinesKeyedByTenantAndReportsTheRest(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            String bootstrap = kafka.bootstrapServers();
            Path file = dir.resolve("docs.jsonl");
            Files.writeString(file, """
                    {"id": "d1", "text": "Kreslux Systems was established in 2016."}
                    {"id": "d2", "text": ""}
                    not json
                    {"id": "d3", "text": "Kreslux Systems is active in mining."}
                    """);
            CliRun missing = CliRun.of("produce", "docs", "--file", file.toString(), "--kafka", bootstrap);
            assertEquals(2, missing.code(), missing.err());
            assertTrue(missing.err().contains("topic freshet.documents does not exist"), missing.err());

            Properties ap = new Properties();
            ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(ap)) {
                Topics.withDefaultPrefix().ensureCreated(admin, 2, (short) 1);
            }
            CliRun run = CliRun.of("produce", "docs", "--file", file.toString(), "--kafka", bootstrap, "--tenant", "acme");
            assertEquals(3, run.code(), "rejected lines give exit code 3: " + run.out() + run.err());
            assertTrue(run.out().contains("produced 2 records") && run.out().contains("line 2") && run.out().contains("line 3"), run.out());

            List<ConsumerRecord<String, byte[]>> got = consumeAll(bootstrap, "freshet.documents", 2);
            assertEquals(2, got.size());
            for (ConsumerRecord<String, byte[]> r : got) {
                assertEquals("acme", r.key());
            }
            assertTrue(new String(got.get(0).value(), StandardCharsets.UTF_8).contains("\"d"));
        }
    }

    private static List<ConsumerRecord<String, byte[]>> consumeAll(String bootstrap, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "produce-it");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}
