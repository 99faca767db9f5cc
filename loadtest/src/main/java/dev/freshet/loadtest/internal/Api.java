package dev.freshet.loadtest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The few HTTP calls the scenarios make, over the JDK client (HTTP/1.1, one connection per concurrent
 * request). Model calls never throw for an HTTP error: the status is part of the {@link Reply}, since
 * counting 429s and 503s is part of a load test; a transport failure is reported as status 0.
 */
public final class Api implements AutoCloseable {

    /** One model call: status (0 = no response), latency, and the {@code X-Adapter-Version} it names (-1 if none). */
    public record Reply(int status, long nanos, long adapterVersion) {
        public boolean ok() {
            return status == 200;
        }
    }

    /** One version of a tenant's history: its parent, state and covered record keys ({@code kind:id}). */
    public record Version(long version, long parent, String state, Set<String> covered) {}

    /** {@code GET /v1/adapters/{tenant}}: the served version (-1 if none) and every version. */
    public record History(long served, List<Version> versions) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final ExecutorService executor;
    private final HttpClient client;

    public Api(URI base) {
        this.base = base;
        // The client's own default executor has anonymous threads; these are named and die with the client.
        this.executor = Executors.newCachedThreadPool(new NamedThreads("http"));
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(executor).build();
    }

    /** Greedy completion of {@code maxTokens} tokens. */
    public Reply complete(String model, String prompt, int maxTokens) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("prompt", prompt).put("max_tokens", maxTokens).put("temperature", 0.0);
        return call("/v1/completions", body);
    }

    /** Log-probability of a continuation. */
    public Reply score(String model, String prompt, String continuation) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("prompt", prompt).put("continuation", continuation);
        return call("/v1/score", body);
    }

    private Reply call(String path, ObjectNode body) {
        HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        long t0 = System.nanoTime();
        try {
            HttpResponse<Void> r = client.send(req, HttpResponse.BodyHandlers.discarding());
            long version = r.headers().firstValue("X-Adapter-Version").map(Long::parseLong).orElse(-1L);
            return new Reply(r.statusCode(), System.nanoTime() - t0, version);
        } catch (IOException e) {
            return new Reply(0, System.nanoTime() - t0, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, System.nanoTime() - t0, -1);
        }
    }

    /** The tenant's history, or empty while it has no version yet (404). */
    public Optional<History> history(String tenant) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/v1/adapters/" + tenant);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new IOException("GET /v1/adapters/" + tenant + ": " + r.statusCode() + " " + r.body());
        }
        JsonNode o = JSON.readTree(r.body());
        List<Version> versions = new ArrayList<>();
        for (JsonNode v : o.path("versions")) {
            Set<String> covered = new HashSet<>();
            v.path("covered").fields().forEachRemaining(kind -> kind.getValue().forEach(id -> covered.add(kind.getKey() + ":" + id.asText())));
            versions.add(new Version(v.path("version").asLong(), v.path("parent_version").asLong(), v.path("state").asText(), covered));
        }
        long served = o.path("served_version").isNumber() ? o.path("served_version").asLong() : -1;
        return Optional.of(new History(served, versions));
    }

    /** {@code GET /metrics} as text. */
    public String metrics() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/metrics");
        if (r.statusCode() != 200) {
            throw new IOException("GET /metrics: " + r.statusCode());
        }
        return r.body();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
