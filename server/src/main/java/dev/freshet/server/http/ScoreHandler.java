package dev.freshet.server.http;

import dev.freshet.adaptation.model.Score;
import dev.freshet.server.serving.Lease;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/score}: total and per-token log-probabilities (natural log) of a continuation.
 * Response: {@code {"object": "score", "model", "adapter_version", "total", "tokens": [...], "token_logprobs": [...]}}.
 */
final class ScoreHandler implements Handler<RoutingContext> {

    private final Inference inference;

    ScoreHandler(Inference inference) {
        this.inference = inference;
    }

    @Override
    public void handle(RoutingContext ctx) {
        inference.admit(ctx);
        ScoreRequest req = ScoreRequest.from(Fields.body(ctx));
        Lease lease = inference.pin(ctx, req.model());
        long version = lease.version();
        inference.run(lease, l -> inference.model().score(req.prompt(), req.continuation(), l.parameters(), l.adaptation()))
                .onSuccess(s -> ctx.json(toJson(req, version, s)))
                .onFailure(ctx::fail);
    }

    private static JsonObject toJson(ScoreRequest req, long version, Score s) {
        JsonArray tokens = new JsonArray();
        JsonArray logprobs = new JsonArray();
        for (int i = 0; i < s.tokens().length; i++) {
            tokens.add(s.tokens()[i]);
            logprobs.add(s.tokenLogprobs()[i]);
        }
        return new JsonObject().put("object", "score").put("model", req.model()).put("adapter_version", version)
                .put("total", s.total()).put("tokens", tokens).put("token_logprobs", logprobs);
    }
}
