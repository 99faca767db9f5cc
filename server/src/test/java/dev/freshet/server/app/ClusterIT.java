package dev.freshet.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.testing.ServeProcess;
import dev.freshet.streams.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out on one machine, every part a real process on loopback: one broker, two trainers in one consumer
 * group ({@code serve --role trainer}) and two servers ({@code --role server}), each with its own data
 * directory, sharing nothing but Kafka. Documents for several tenants are produced; one trainer is killed
 * with SIGKILL mid-stream, so the group gives its partitions (its tenants) to the other, which resumes from
 * the versions announced on the adapters topic. At the end the servers' stores, which hold exactly the
 * versions announced, cover every produced record exactly once, and both servers serve the same version of
 * every tenant.
 */
@Timeout(value = 480, unit = TimeUnit.SECONDS)
class ClusterIT {

    private static final List<String> TENANTS = List.of("t0", "t1", "t2", "t3", "t4", "t5");
    private static final int PER_TENANT = 8;
    private static final int TOTAL = TENANTS.size() * PER_TENANT;
    private static final Duration READY = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    @Test
    void twoTrainersTwoServersOneTrainerKilledEveryRecordOnceAndServersAgree() throws Exception {
        World world = World.generate(1234, WorldSize.DEFAULT);
        // A killed member is noticed after the session timeout: 6 s (the broker's minimum) instead of 45 s.
        // Passed through to the Kafka clients by the configuration file, as a user would set SASL or TLS.
        Path config = Files.writeString(dir.resolve("cluster.properties"), """
                topic-prefix=cl
                partitions=4
                no-gate=true
                kafka.session.timeout.ms=6000
                kafka.heartbeat.interval.ms=1000
                """);
        Map<String, List<String>> produced = new TreeMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
                ServeProcess trainer1 = ServeProcess.start("trainer-1", dir.resolve("trainer-1"), kafka.bootstrapServers(), "--config",
                        config.toString(), "--role", "trainer");
                ServeProcess trainer2 = ServeProcess.start("trainer-2", dir.resolve("trainer-2"), kafka.bootstrapServers(), "--config",
                        config.toString(), "--role", "trainer")) {
            trainer1.awaitReady(READY);
            trainer2.awaitReady(READY);
            try (ServeProcess server1 = ServeProcess.start("server-1", dir.resolve("server-1"), kafka.bootstrapServers(), "--config",
                            config.toString(), "--role", "server");
                    ServeProcess server2 = ServeProcess.start("server-2", dir.resolve("server-2"), kafka.bootstrapServers(), "--config",
                            config.toString(), "--role", "server")) {
                server1.awaitReady(READY);
                server2.awaitReady(READY);
                produced.putAll(ServeProcess.produceDocuments(producer, "cl.documents", world, TENANTS, PER_TENANT));

                // Kill the first trainer once the cluster has announced some versions, while records remain.
                awaitCovered(server1, TOTAL / 6, trainer1, trainer2);
                int coveredAtKill = ServeProcess.coveredCount(server1.dataDir(), TENANTS);
                trainer1.kill();
                assertTrue(trainer1.log().contains("tenant t"), "trainer-1 owned tenants before it was killed:\n" + trainer1.log());
                System.out.printf("ClusterIT: trainer-1 killed with %d of %d records in announced versions%n", coveredAtKill, TOTAL);
                assertTrue(coveredAtKill < TOTAL, "killed mid-stream");

                awaitCovered(server1, TOTAL, trainer2);
                awaitCovered(server2, TOTAL, trainer2);
                Map<String, Long> on1 = awaitSameVersions(server1, server2);
                System.out.printf("ClusterIT: both servers serve %s%n", on1);
                assertEquals(TENANTS.size(), on1.size(), "every tenant is served");
                Thread.sleep(2_000); // a late duplicate would be announced by now
                for (ServeProcess s : List.of(server1, server2)) {
                    Map<String, Map<String, Integer>> covered = ServeProcess.coveredDocuments(s.dataDir(), TENANTS);
                    for (String tenant : TENANTS) {
                        Map<String, Integer> counts = covered.getOrDefault(tenant, Map.of());
                        for (String id : produced.get(tenant)) {
                            assertEquals(1, counts.getOrDefault(id, 0), tenant + ": " + id + " is in exactly one announced version: " + counts);
                        }
                        assertEquals(PER_TENANT, counts.size(), tenant + ": nothing beyond what was produced");
                    }
                }
            }
        }
    }

    private static void awaitCovered(ServeProcess server, int n, ServeProcess... alive) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (ServeProcess.coveredCount(server.dataDir(), TENANTS) < n) {
            server.requireAlive();
            for (ServeProcess p : alive) {
                p.requireAlive();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " records announced within 240 s: "
                        + ServeProcess.coveredDocuments(server.dataDir(), TENANTS) + "\n" + alive[alive.length - 1].log());
            }
            Thread.sleep(200);
        }
    }

    /** Waits until both servers list the same version for every tenant; that map. */
    private static Map<String, Long> awaitSameVersions(ServeProcess a, ServeProcess b) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, Long> va = versions(a);
        Map<String, Long> vb = versions(b);
        while (!va.equals(vb) || va.size() < TENANTS.size()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("servers disagree: " + va + " vs " + vb);
            }
            Thread.sleep(200);
            va = versions(a);
            vb = versions(b);
        }
        return va;
    }

    private static Map<String, Long> versions(ServeProcess s) throws Exception {
        JsonArray data = JsonParser.parseString(s.get("/v1/models")).getAsJsonObject().getAsJsonArray("data");
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < data.size(); i++) {
            JsonObject m = data.get(i).getAsJsonObject();
            if (TENANTS.contains(m.get("id").getAsString())) {
                out.put(m.get("id").getAsString(), m.get("adapter_version").getAsLong());
            }
        }
        return out;
    }
}
