package dev.freshet.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.http.HttpConfig;
import dev.freshet.streams.embedded.EmbeddedKafka;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas that share nothing but Kafka: a trainer ({@code --role trainer}) and serving replicas
 * ({@code --role server}), each with its own data directory, on one real broker. Versions reach the servers
 * only through the adapters topic (inline weights), promotions and rollbacks alike, and a server that starts
 * late is caught up before it reports ready.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplicationIT {

    private static final String TENANT = "rep";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path dir;

    private static EmbeddedKafka kafka;
    private static LanguageModel model;
    private static Freshet trainer;
    private static Freshet server;
    private static KafkaProducer<String, byte[]> producer;
    private static World world;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        model = LanguageModel.loadDefault(Devices.select("cpu"));
        world = World.generate(1234, WorldSize.DEFAULT);
        trainer = Freshet.start(options(dir.resolve("trainer"), Role.TRAINER), model);
        server = Freshet.start(options(dir.resolve("server"), Role.SERVER), model);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Fast settings: no gate, small quick micro-batches; topics of their own. */
    private static Freshet.Options options(Path dataDir, Role role) {
        return Freshet.Options.defaults(dataDir, 0, HttpConfig.defaults().withHost("127.0.0.1").withPort(0))
                .withKafka(kafka.bootstrapServers()).withTopics("rep", 2).withGate(Gates::none).withRole(role)
                .withTraining(s -> s.withBatching(8, Duration.ofMillis(200), 64));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {producer, server, trainer, model, kafka}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void serversFollowPromotionsAndRollbacksThroughTheAdaptersTopicAndALateServerCatchesUp() throws Exception {
        WorldDocument doc = world.documents().get(3);
        QaPair qa = doc.questions().get(0);

        produce(doc, "a");
        awaitServed(trainer, 1);
        awaitServed(server, 1);
        HttpResponse<String> onServer = post(server, "/v1/score", scoreBody(qa));
        assertEquals(Optional.of("1"), onServer.headers().firstValue("X-Adapter-Version"));
        double trainerScore = new JsonObject(post(trainer, "/v1/score", scoreBody(qa)).body()).getDouble("total");
        double serverScore = new JsonObject(onServer.body()).getDouble("total");
        assertEquals(trainerScore, serverScore, 1e-5, "the server serves exactly the trainer's weights");
        assertTrue(serverScore != new JsonObject(post(server, "/v1/score", scoreBody(qa).replace("\"" + TENANT + "\"", "\"base\"")).body())
                .getDouble("total"), "v1 differs from the base model");

        produce(doc, "b");
        awaitServed(trainer, 2);
        awaitServed(server, 2);

        HttpResponse<String> rb = post(trainer, "/v1/adapters/" + TENANT + "/rollback", "{\"version\": 1}");
        assertEquals(200, rb.statusCode(), rb.body());
        awaitVersion(server, 1); // an older version, followed because it was announced as a rollback

        try (Freshet late = Freshet.start(options(dir.resolve("late"), Role.SERVER), model)) {
            assertEquals(1, late.registry().servedVersion(TENANT), "a server that starts late serves the latest announcement once ready");
        }
        String metrics = get(server, "/metrics").body();
        assertTrue(metrics.contains("freshet_adapter_events_total{outcome=\"applied\"} 3.0"), metrics);
        assertTrue(get(trainer, "/metrics").body().contains("freshet_adapter_events_total{outcome=\"published\"} 3.0"));
        assertEquals(-1, trainer.registry().servedVersion("nobody"));
    }

    private static void produce(WorldDocument doc, String suffix) throws Exception {
        String json = new JsonObject().put("id", doc.id() + "-" + suffix).put("text", doc.text()).encode();
        producer.send(new ProducerRecord<>(trainer.topics().documents(), TENANT, json.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
    }

    private static void awaitServed(Freshet f, long version) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (f.registry().servedVersion(TENANT) < version) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not served from v" + version + " within 60 s: serving v" + f.registry().servedVersion(TENANT));
            }
            Thread.sleep(50);
        }
    }

    private static void awaitVersion(Freshet f, long version) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (f.registry().servedVersion(TENANT) != version) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not serving v" + version + " within 30 s: serving v" + f.registry().servedVersion(TENANT));
            }
            Thread.sleep(50);
        }
    }

    private static String scoreBody(QaPair qa) {
        return new JsonObject().put("model", TENANT).put("prompt", QaFormat.prompt(qa.question())).put("continuation", QaFormat.target(qa.answer()))
                .encode();
    }

    private static HttpResponse<String> get(Freshet f, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(f, path)).timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(Freshet f, String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(f, path)).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(Freshet f, String path) {
        return URI.create("http://127.0.0.1:" + f.httpPort() + path);
    }
}
