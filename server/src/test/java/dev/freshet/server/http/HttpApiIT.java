package dev.freshet.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.server.serving.RegistryListener;
import dev.freshet.server.serving.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** The HTTP API over real HTTP: shapes, headers, every error status, admin routes, restart. */
@ExtendWith(VertxExtension.class)
class HttpApiIT {

    private static final String GREEDY = "{\"model\": \"acme\", \"prompt\": \"Q: Where was Tovrak Melun born?\\nA:\", \"max_tokens\": 6, \"temperature\": 0";

    @TempDir
    Path dataDir;

    private ApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ApiServer start(Vertx vertx, HttpConfig config) throws Exception {
        server = new ApiServer(vertx, dataDir, config, RegistryListener.NONE);
        return server;
    }

    @Test
    void completionHasOpenAiShapeLogprobsAndTheServedVersion(Vertx vertx) throws Exception {
        start(vertx, ApiServer.config());
        server.registry.promote("acme", TestModels.candidate(TestModels.model(), 1, 0.5f));

        HttpResponse<String> r = server.post("/v1/completions", GREEDY + ", \"logprobs\": 1}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("1"), r.headers().allValues("X-Adapter-Version"));
        JsonObject body = new JsonObject(r.body());
        assertEquals("text_completion", body.getString("object"));
        assertEquals(1L, body.getLong("adapter_version"));
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        JsonObject usage = body.getJsonObject("usage");
        int completionTokens = usage.getInteger("completion_tokens");
        assertTrue(completionTokens >= 1 && completionTokens <= 6, usage.encode());
        assertEquals(completionTokens, choice.getJsonObject("logprobs").getJsonArray("token_logprobs").size());
        assertEquals(usage.getInteger("prompt_tokens") + completionTokens, usage.getInteger("total_tokens"));
        assertTrue(List.of("stop", "length").contains(choice.getString("finish_reason")));
    }

    @Test
    void streamingSendsServerSentEventsThatAddUpToTheWholeCompletion(Vertx vertx) throws Exception {
        start(vertx, ApiServer.config());
        server.registry.promote("acme", TestModels.candidate(TestModels.model(), 1, 0.5f));
        String whole = new JsonObject(server.post("/v1/completions", GREEDY + "}").body()).getJsonArray("choices").getJsonObject(0).getString("text");

        HttpResponse<String> r = server.post("/v1/completions", GREEDY + ", \"stream\": true, \"logprobs\": true}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        assertEquals(List.of("1"), r.headers().allValues("X-Adapter-Version"));
        List<String> events = new ArrayList<>();
        for (String block : r.body().split("\n\n")) {
            assertTrue(block.startsWith("data: "), "each event is one data line: " + block);
            events.add(block.substring("data: ".length()));
        }
        assertEquals("[DONE]", events.get(events.size() - 1));
        StringBuilder text = new StringBuilder();
        JsonObject last = null;
        for (String e : events.subList(0, events.size() - 1)) {
            last = new JsonObject(e);
            assertEquals(1L, last.getLong("adapter_version"), "every chunk names the version the stream started on");
            text.append(last.getJsonArray("choices").getJsonObject(0).getString("text"));
        }
        assertEquals(whole, text.toString());
        JsonObject finalChoice = last.getJsonArray("choices").getJsonObject(0);
        assertTrue(List.of("stop", "length").contains(finalChoice.getString("finish_reason")));
        assertEquals(last.getJsonObject("usage").getInteger("completion_tokens"), finalChoice.getJsonObject("logprobs").getJsonArray("tokens").size());
    }

    @Test
    void scoreReturnsTotalAndPerTokenLogprobs(Vertx vertx) throws Exception {
        start(vertx, ApiServer.config());
        HttpResponse<String> r = server.post("/v1/score", "{\"model\": \"base\", \"prompt\": \"Q: Where was Tovrak Melun born?\\nA:\", \"continuation\": \" Sarvel\\n\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("0"), r.headers().allValues("X-Adapter-Version"));
        JsonObject body = new JsonObject(r.body());
        JsonArray lps = body.getJsonArray("token_logprobs");
        assertEquals(body.getJsonArray("tokens").size(), lps.size());
        double sum = 0;
        for (int i = 0; i < lps.size(); i++) {
            sum += lps.getDouble(i);
        }
        assertEquals(sum, body.getDouble("total"), 1e-4);
        double direct = TestModels.model().score("Q: Where was Tovrak Melun born?\nA:", " Sarvel\n", dev.freshet.adaptation.model.Adaptation.NONE).total();
        assertEquals(direct, body.getDouble("total"), 1e-4);
    }

    @Test
    void errorsAreJsonWithTheRightStatus(Vertx vertx) throws Exception {
        start(vertx, ApiServer.config());
        assertError(server.post("/v1/completions", "{\"model\": \"base\", \"prompt\": "), 400, "invalid_json");
        assertError(server.post("/v1/completions", "[1, 2]"), 400, "invalid_json");
        assertError(server.post("/v1/completions", "{\"prompt\": \"hi\"}"), 400, "invalid_model");
        assertError(server.post("/v1/completions", "{\"model\": \"base\", \"prompt\": \"hi\", \"max_tokens\": 1.5}"), 400, "invalid_max_tokens");
        assertError(server.post("/v1/completions", "{\"model\": \"base\", \"prompt\": \"hi\", \"temperature\": \"hot\"}"), 400, "invalid_temperature");
        assertError(server.post("/v1/completions", "{\"model\": \"base\", \"prompt\": \"hi\", \"n\": 2}"), 400, "invalid_n");
        assertError(server.post("/v1/score", "{\"model\": \"base\", \"prompt\": \"hi\"}"), 400, "invalid_continuation");
        assertError(server.post("/v1/completions", "{\"model\": \"nobody\", \"prompt\": \"hi\"}"), 404, "model_not_found");
        assertError(server.get("/v1/adapters/nobody"), 404, "tenant_not_found");
        assertError(server.get("/v1/adapters/Not%20A%20Tenant"), 400, "invalid_tenant");
        assertError(server.get("/v1/nowhere"), 404, "not_found");
        String big = "{\"model\": \"base\", \"prompt\": \"" + "x".repeat(9000) + "\"}";
        assertError(server.post("/v1/completions", big), 413, "request_too_large");
    }

    @Test
    void theInFlightLimitAnswers429(Vertx vertx) throws Exception {
        start(vertx, ApiServer.config().withLimits(8 * 1024, 1).withInferenceThreads(1));
        // Occupy the one inference thread, so the first request stays in flight until released.
        WorkerExecutor pool = vertx.createSharedWorkerExecutor(HttpApiVerticle.INFER_POOL, 1);
        CountDownLatch release = new CountDownLatch(1);
        pool.executeBlocking(() -> {
            release.await();
            return null;
        }, false);
        CompletableFuture<HttpResponse<String>> first = server.postAsync("/v1/completions", "{\"model\": \"base\", \"prompt\": \"hi\", \"max_tokens\": 2}");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.metrics.httpInFlight().get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertError(server.post("/v1/completions", "{\"model\": \"base\", \"prompt\": \"hi\", \"max_tokens\": 2}"), 429, "too_many_requests");
        release.countDown();
        assertEquals(200, first.get().statusCode());
        pool.close();
    }

    @Test
    void notReadyAnswers503ButLiveStaysUp(Vertx vertx) throws Exception {
        start(vertx, ApiServer.config());
        server.readiness.notReady("restoring adapters");
        assertError(server.post("/v1/completions", "{\"model\": \"base\", \"prompt\": \"hi\"}"), 503, "not_ready");
        assertError(server.get("/health/ready"), 503, "not_ready");
        assertEquals(200, server.get("/health/live").statusCode());
        server.readiness.ready();
        assertEquals(200, server.get("/health/ready").statusCode());
    }

    @Test
    void modelsHistoryAndRollbackWithTheAdminToken(Vertx vertx) throws Exception {
        start(vertx, ApiServer.config().withAdminToken("s3cret"));
        server.registry.promote("acme", TestModels.candidate(TestModels.model(), 1, 0.5f));
        server.registry.promote("acme", TestModels.candidate(TestModels.model(), 2, 0.5f));

        JsonArray models = new JsonObject(server.get("/v1/models").body()).getJsonArray("data");
        assertEquals(new JsonObject().put("id", "acme").put("object", "model").put("owned_by", "freshet").put("adapter_version", 2), models.getJsonObject(0));
        assertEquals("base", models.getJsonObject(1).getString("id"));
        JsonObject history = new JsonObject(server.get("/v1/adapters/acme").body());
        assertEquals(2L, history.getLong("served_version"));
        assertEquals(List.of("RETIRED", "RETIRED", "SERVING"), states(history));

        assertError(server.post("/v1/adapters/acme/rollback", "{\"version\": 1}"), 401, "invalid_token");
        assertError(server.post("/v1/adapters/acme/rollback", "{\"version\": 1}", "Authorization", "Bearer wrong"), 401, "invalid_token");
        assertError(server.post("/v1/adapters/acme/rollback", "{\"version\": 9}", "Authorization", "Bearer s3cret"), 404, "version_not_found");
        assertError(server.post("/v1/adapters/acme/rollback", "{}", "Authorization", "Bearer s3cret"), 400, "invalid_version");
        HttpResponse<String> rolled = server.post("/v1/adapters/acme/rollback", "{\"version\": 1}", "Authorization", "Bearer s3cret");
        assertEquals(200, rolled.statusCode(), rolled.body());
        assertEquals(List.of("RETIRED", "SERVING", "RETIRED"), states(new JsonObject(rolled.body())));
        assertEquals(List.of("1"), server.post("/v1/completions", GREEDY + "}").headers().allValues("X-Adapter-Version"), "the old version is served");
    }

    @Test
    void aRestartServesTheLatestPromotedVersion(Vertx vertx) throws Exception {
        start(vertx, ApiServer.config());
        server.registry.promote("acme", TestModels.candidate(TestModels.model(), 1, 0.5f));
        server.registry.promote("acme", TestModels.candidate(TestModels.model(), 2, 0.5f));
        server.registry.promote("acme", TestModels.candidate(TestModels.model(), 3, 0.5f));
        server.registry.rollback("acme", 2);
        server.close();

        server = new ApiServer(vertx, dataDir, ApiServer.config(), RegistryListener.NONE); // restore() on start
        HttpResponse<String> r = server.post("/v1/completions", GREEDY + "}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("2"), r.headers().allValues("X-Adapter-Version"));
        assertEquals(List.of("RETIRED", "RETIRED", "SERVING", "RETIRED"), states(new JsonObject(server.get("/v1/adapters/acme").body())));
        assertEquals(4, server.registry.nextVersion("acme"));
    }

    private static List<String> states(JsonObject history) {
        List<String> out = new ArrayList<>();
        history.getJsonArray("versions").forEach(v -> out.add(((JsonObject) v).getString("state")));
        return out;
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertEquals(code, error.getString("code"), r.body());
        assertFalse(error.getString("message").isBlank());
        assertFalse(error.getString("type").isBlank());
    }
}
