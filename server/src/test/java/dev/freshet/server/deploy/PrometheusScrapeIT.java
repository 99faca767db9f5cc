package dev.freshet.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.server.tools.DebianTools;
import dev.freshet.server.tools.DebianTools.Tool;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus (Debian package) scrapes the in-process server's {@code /metrics} on loopback every
 * second, with {@code deploy/prometheus/rules.yml} loaded, and we ask its HTTP API: the target is up with
 * no scrape error, {@code freshet_} series are queryable, and every rule in the deploy rules evaluates
 * without error against the server's real series. Prometheus runs on a free port with its storage in a
 * temporary directory and is killed at the end.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PrometheusScrapeIT {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private static LiveServer server;
    private static Process prometheus;
    private static Path prometheusLog;
    private static String api;

    @BeforeAll
    static void start() throws Exception {
        DebianTools.Resolved tool = DebianTools.get(Tool.PROMETHEUS);
        server = LiveServer.start(dir.resolve("freshet"));
        server.exercise("scrape");

        Path rules = DeployFiles.path("prometheus/rules.yml");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: freshet
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(rules, server.httpPort()));
        int port = freePort();
        api = "http://127.0.0.1:" + port;
        prometheusLog = dir.resolve("prometheus.log");
        prometheus = tool.command("--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectOutput(prometheusLog.toFile()).start();
        await("Prometheus ready", PrometheusScrapeIT::ready);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void prometheusScrapesTheServerWithoutErrors() throws Exception {
        JsonObject target = await("the freshet target scraped", () -> {
            JsonArray active = data("/api/v1/targets").getJsonArray("activeTargets");
            return active.size() == 1 && !active.getJsonObject(0).getString("health").equals("unknown") ? active.getJsonObject(0) : null;
        });
        assertEquals("up", target.getString("health"), target.encodePrettily());
        assertEquals("", target.getString("lastError"), target.encodePrettily());
        assertEquals("http://127.0.0.1:" + server.httpPort() + "/metrics", target.getString("scrapeUrl"));
    }

    @Test
    void freshetSeriesAreQueryable() throws Exception {
        JsonArray rss = await("freshet_process_resident_memory_bytes has a sample", () -> nonEmpty(query("freshet_process_resident_memory_bytes")));
        assertTrue(Double.parseDouble(rss.getJsonObject(0).getJsonArray("value").getString(1)) > 0, rss.encode());

        JsonArray served = await("the exercised tenant's served version", () -> nonEmpty(query("freshet_adapter_served_version{tenant=\"scrape\"}")));
        assertTrue(Double.parseDouble(served.getJsonObject(0).getJsonArray("value").getString(1)) >= 1, served.encode());

        JsonArray requests = await("HTTP requests counted", () -> nonEmpty(query("sum by (route) (freshet_http_request_duration_seconds_count)")));
        assertTrue(requests.encode().contains("/v1/completions"), requests.encode());
    }

    @Test
    void everyDeployRuleEvaluatesWithoutError() throws Exception {
        List<JsonObject> rules = await("every rule evaluated at least once", () -> {
            List<JsonObject> all = new ArrayList<>();
            JsonArray groups = data("/api/v1/rules").getJsonArray("groups");
            groups.forEach(g -> ((JsonObject) g).getJsonArray("rules").forEach(r -> all.add((JsonObject) r)));
            return !all.isEmpty() && all.stream().noneMatch(r -> r.getString("health").equals("unknown")) ? all : null;
        });
        assertTrue(rules.size() >= 7, "the deploy rules were loaded: " + rules.size());
        for (JsonObject r : rules) {
            assertEquals("ok", r.getString("health"), r.getString("name") + ": " + r.getString("lastError"));
        }
        List<String> firing = rules.stream().filter(r -> "alerting".equals(r.getString("type")) && "firing".equals(r.getString("state")))
                .map(r -> r.getString("name")).toList();
        assertEquals(List.of(), firing, "a healthy, barely used server fires no alert");
    }

    // ---- helpers ----

    private static JsonArray query(String promql) throws Exception {
        return data("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).getJsonArray("result");
    }

    private static JsonObject data(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        JsonObject body = new JsonObject(r.body());
        assertEquals("success", body.getString("status"), r.body());
        return body.getJsonObject("data");
    }

    private static JsonArray nonEmpty(JsonArray a) {
        return a.isEmpty() ? null : a;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Whether Prometheus answers {@code /-/ready} with 200; false while it is not listening yet. */
    private static boolean ready() throws Exception {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls until {@code probe} returns non-null (or true), at most 60 s; fails with Prometheus's log. */
    @SuppressWarnings("unchecked")
    private static <T> T await(String what, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Predicate<T> done = v -> v != null && !Boolean.FALSE.equals(v);
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                throw new AssertionError("prometheus exited (" + prometheus.exitValue() + "):\n" + Files.readString(prometheusLog));
            }
            T v = probe.get();
            if (done.test(v)) {
                return v;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not within 60 s: " + what + "\nprometheus log:\n" + Files.readString(prometheusLog));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
