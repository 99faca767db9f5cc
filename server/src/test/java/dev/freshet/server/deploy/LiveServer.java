package dev.freshet.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.freshet.adaptation.model.Devices;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.app.Freshet;
import dev.freshet.server.app.Gates;
import dev.freshet.server.http.HttpConfig;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.training.CoveredRecords;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The whole server in-process for the deployment ITs: embedded KRaft broker on a free port, topics with
 * the default {@code freshet} prefix, the bundled default model, HTTP on a free loopback port. No quality
 * gate and small micro-batches (8 records or 200 ms), so one record becomes a served version in seconds.
 */
final class LiveServer implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final Path dataDir;
    private final LanguageModel model;
    private final Freshet freshet;

    private LiveServer(Path dataDir, LanguageModel model, Freshet freshet) {
        this.dataDir = dataDir;
        this.model = model;
        this.freshet = freshet;
    }

    static LiveServer start(Path dataDir) throws Exception {
        LanguageModel model = LanguageModel.loadDefault(Devices.select("cpu"));
        try {
            Freshet.Options o = Freshet.Options.defaults(dataDir, 0, HttpConfig.defaults().withHost("127.0.0.1").withPort(0))
                    .withTopics("freshet", 2)
                    .withGate(Gates::none)
                    .withTraining(s -> s.withBatching(8, Duration.ofMillis(200), 64));
            return new LiveServer(dataDir, model, Freshet.start(o, model));
        } catch (Exception | Error e) {
            model.close();
            throw e;
        }
    }

    /** {@code host:port} of the embedded broker's client listener. */
    String bootstrap() {
        return freshet.bootstrapServers();
    }

    int httpPort() {
        return freshet.httpPort();
    }

    /**
     * Gives every {@code freshet_} series something to show: one document through {@code POST /v1/documents}
     * (Kafka, a training round, a promoted version, freshness, consumer lag), one malformed record (a dead
     * letter), then one completion and one score request
     * for the new version (HTTP histograms by route).
     */
    void exercise(String tenant) throws Exception {
        HttpResponse<String> accepted = post("/v1/documents",
                new JsonObject().put("id", tenant + "-doc-1").put("text", "Kaxzek Kukpum was born in Tovrin and works for Zelda Dynamics.").encode(),
                "X-Tenant", tenant);
        assertEquals(202, accepted.statusCode(), accepted.body());
        // A malformed record straight to Kafka (the HTTP route would refuse it): a dead letter to count.
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, freshet.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(freshet.topics().documents(), tenant, "{not json".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        awaitServed(tenant, 1);
        HttpResponse<String> completion = post("/v1/completions",
                new JsonObject().put("model", tenant).put("prompt", "Q: Where was Kaxzek Kukpum born?\nA:").put("max_tokens", 4).put("temperature", 0).encode());
        assertEquals(200, completion.statusCode(), completion.body());
        HttpResponse<String> score = post("/v1/score",
                new JsonObject().put("model", tenant).put("prompt", "Q: Where was Kaxzek Kukpum born?\nA:").put("continuation", " Tovrin").encode());
        assertEquals(200, score.statusCode(), score.body());
    }

    /** Polls {@code GET /v1/models} until {@code tenant} is served from at least {@code version}; returns the version. */
    long awaitServed(String tenant, long version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            JsonArray data = new JsonObject(get("/v1/models").body()).getJsonArray("data");
            for (int i = 0; i < data.size(); i++) {
                JsonObject m = data.getJsonObject(i);
                if (tenant.equals(m.getString("id")) && m.getLong("adapter_version") >= version) {
                    return m.getLong("adapter_version");
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("tenant " + tenant + " not served from v" + version + " within 90 s; models: " + get("/v1/models").body());
    }

    /** Document ids covered by the tenant's stored versions, read from their manifests. */
    Set<String> coveredDocumentIds(String tenant) throws Exception {
        AdapterStore store = new AdapterStore(dataDir);
        Set<String> out = new HashSet<>();
        for (long v : store.versions(tenant)) {
            out.addAll(CoveredRecords.idsIn(store.manifest(tenant, v).extra(), CoveredRecords.Kind.DOCUMENT));
        }
        return out;
    }

    HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + freshet.httpPort() + path);
    }

    @Override
    public void close() {
        try {
            freshet.close();
        } finally {
            model.close();
        }
    }
}
