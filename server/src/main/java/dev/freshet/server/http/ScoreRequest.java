package dev.freshet.server.http;

import io.vertx.core.json.JsonObject;

/**
 * A validated {@code POST /v1/score} body: the log-probability of {@code continuation} after {@code prompt}.
 *
 * @param model a tenant or {@code base}
 * @param prompt the conditioning text (may be empty)
 * @param continuation the text to score (not empty)
 */
public record ScoreRequest(String model, String prompt, String continuation) {

    static ScoreRequest from(JsonObject o) {
        String model = Fields.string(o, "model", null);
        String prompt = Fields.string(o, "prompt", "");
        String continuation = Fields.string(o, "continuation", null);
        if (continuation.isEmpty()) {
            throw Fields.invalid("continuation", "must not be empty");
        }
        return new ScoreRequest(model, prompt, continuation);
    }
}
