package dev.freshet.server.http;

import dev.freshet.server.metrics.FreshetMetrics;
import dev.freshet.server.metrics.RegistryMetrics;
import dev.freshet.server.serving.AdapterRegistry;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.RegistryListener;
import dev.freshet.server.serving.TestModels;
import io.vertx.core.Vertx;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A real HTTP API on 127.0.0.1 and a free port over the tiny test model, with a JDK HTTP client: what the
 * *IT tests drive. The registry's listener is the metrics feed plus an optional test observer.
 */
final class ApiServer implements AutoCloseable {

    final Vertx vertx;
    final FreshetMetrics metrics = new FreshetMetrics();
    final Readiness readiness = new Readiness();
    final AdapterRegistry registry;
    private final HttpApiVerticle verticle;
    private final String deployment;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    ApiServer(Vertx vertx, Path dataDir, HttpConfig config, RegistryListener observer) throws Exception {
        this.vertx = vertx;
        RegistryMetrics feed = new RegistryMetrics(metrics);
        RegistryListener both = RegistryListener.all(feed, observer);
        registry = new AdapterRegistry(TestModels.model(), new AdapterStore(dataDir), both);
        registry.restore();
        readiness.ready();
        verticle = new HttpApiVerticle(config.withHost("127.0.0.1").withPort(0), registry, metrics, readiness, List.of());
        deployment = vertx.deployVerticle(verticle).await();
    }

    static HttpConfig config() {
        return HttpConfig.defaults().withLimits(8 * 1024, 256).withInferenceThreads(2);
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return postAsync(path, body, headers).get();
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String body, String... headers) {
        HttpRequest.Builder b = request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + path)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    @Override
    public void close() {
        vertx.undeploy(deployment).await();
        registry.close();
    }
}
