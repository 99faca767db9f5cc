package dev.freshet.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.server.serving.AdapterState;
import dev.freshet.server.serving.ProbeSetGate;
import dev.freshet.server.serving.RegistryListener;
import dev.freshet.server.serving.TestModels;
import dev.freshet.server.serving.VersionInfo;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code GET /metrics} is well-formed Prometheus text (format 0.0.4) with every freshet_ metric. */
@ExtendWith(VertxExtension.class)
class MetricsIT {

    // name{label="value",...} value [timestamp]; label values may hold escaped quotes, backslashes, newlines.
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\")(,[a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\")*,?\\})? "
                    + "([-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN))( -?[0-9]+)?");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped|info|stateset|gaugehistogram|unknown)");

    @TempDir
    Path dataDir;

    @Test
    void metricsAreValidPrometheusTextWithEveryFreshetName(Vertx vertx) throws Exception {
        try (ApiServer server = new ApiServer(vertx, dataDir, ApiServer.config(), RegistryListener.NONE)) {
            server.registry.promote("acme", TestModels.candidate(TestModels.model(), 1, 0.5f));
            assertEquals(200, server.post("/v1/completions", "{\"model\": \"acme\", \"prompt\": \"hi\", \"max_tokens\": 2}").statusCode());
            assertEquals(404, server.post("/v1/completions", "{\"model\": \"nobody\", \"prompt\": \"hi\"}").statusCode());
            // Series with labels appear once a value is recorded; the Kafka side's are touched here as it will.
            server.metrics.recordsConsumed().labelValues("freshet.documents", "acme").inc();
            server.metrics.recordsDeadLettered().labelValues("freshet.documents", "acme", "malformed_json").inc();
            server.metrics.consumerLag().labelValues("freshet.documents", "0").set(3);
            server.metrics.adaptationSteps().labelValues("acme", "uniform").inc();
            server.metrics.adaptationTokens().labelValues("acme", "uniform").inc(128);
            server.metrics.stepDuration().labelValues("uniform").observe(0.2);
            server.metrics.trainingLoss().labelValues("acme", "uniform").set(2.5);
            server.metrics.freshness().labelValues("acme").observe(4.0);

            HttpResponse<String> r = server.get("/metrics");
            assertEquals(200, r.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));

            Map<String, String> types = new HashMap<>();
            Map<String, Double> samples = new HashMap<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("# HELP ")) {
                    continue;
                }
                Matcher t = TYPE.matcher(line);
                if (t.matches()) {
                    assertEquals(null, types.put(t.group(1), t.group(2)), "one TYPE line per family: " + line);
                    continue;
                }
                Matcher s = SAMPLE.matcher(line);
                assertTrue(s.matches(), "not a valid sample line: " + line);
                samples.put(line.substring(0, line.lastIndexOf(' ')), Double.parseDouble(s.group(7).replace("Inf", "Infinity")));
            }

            for (String family : List.of("freshet_http_request_duration_seconds", "freshet_http_requests_in_flight", "freshet_adapter_served_version",
                    "freshet_adapter_swaps_total", "freshet_gate_rejections_total", "freshet_adapter_versions_resident", "freshet_process_resident_memory_bytes",
                    "freshet_records_consumed_total", "freshet_records_dead_lettered_total", "freshet_consumer_lag_records", "freshet_training_queue_records",
                    "freshet_adaptation_steps_total", "freshet_adaptation_tokens_total", "freshet_adaptation_step_duration_seconds", "freshet_training_loss",
                    "freshet_freshness_seconds")) {
                assertTrue(types.containsKey(family), "missing family " + family);
            }
            assertEquals(1.0, samples.get("freshet_adapter_served_version{tenant=\"acme\"}"));
            assertEquals(1.0, samples.get("freshet_adapter_swaps_total{kind=\"promote\",tenant=\"acme\"}"));
            assertEquals(1.0, samples.get("freshet_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/completions\",status=\"200\"}"));
            assertEquals(1.0, samples.get("freshet_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/completions\",status=\"404\"}"));
            assertTrue(samples.get("freshet_process_resident_memory_bytes") > 10e6, "RSS is read");
            assertTrue(types.keySet().containsAll(Set.of("jvm_memory_used_bytes", "process_resident_memory_bytes")), "JVM and process collectors");
        }
    }

    /**
     * The drift the per-version gate lets through is visible: after a gated promotion the served version's probe perplexity
     * over the base model's is exported, as the gate measured it; serving the base model again reads 0.
     */
    @Test
    void theServedVersionsRiseOverTheBaseModelIsExportedAfterAGatedPromotion(Vertx vertx) throws Exception {
        try (ApiServer server = new ApiServer(vertx, dataDir, ApiServer.config(), RegistryListener.NONE)) {
            ProbeSetGate gate = new ProbeSetGate(TestModels.model(), new ProbeSetGate.ProbeSet(TestModels.CORPUS.subList(1, 4), List.of()),
                    new ProbeSetGate.Thresholds(10, 1, Double.POSITIVE_INFINITY));
            VersionInfo v1 = server.registry.offer("acme", TestModels.candidate(TestModels.model(), 1, 0.5f), gate);
            assertEquals(AdapterState.SERVING, v1.state());
            double expected = v1.gate().scores().get("perplexity.candidate") / v1.gate().scores().get("perplexity.base") - 1;
            assertTrue(Math.abs(expected) > 1e-6, "a noisy candidate moves the probe perplexity: " + expected);
            assertEquals(expected, sample(server, "freshet_served_probe_perplexity_rise{tenant=\"acme\"}"), 1e-9);

            // A version no gate measured (promoted without one here) shows no figure, not the last version's.
            server.registry.promote("acme", TestModels.candidate(TestModels.model(), 2, 0.5f));
            assertNull(find(server, "freshet_served_probe_perplexity_rise{tenant=\"acme\"}"));

            server.registry.rollback("acme", 0);
            assertEquals(0.0, sample(server, "freshet_served_probe_perplexity_rise{tenant=\"acme\"}"), 0.0);
        }
    }

    private static double sample(ApiServer server, String series) throws Exception {
        Double v = find(server, series);
        if (v == null) {
            throw new AssertionError("no sample " + series);
        }
        return v;
    }

    private static Double find(ApiServer server, String series) throws Exception {
        for (String line : server.get("/metrics").body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return null;
    }
}
