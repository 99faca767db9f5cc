package dev.freshet.server.http;

import dev.freshet.adaptation.model.Generation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.serving.Lease;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * {@code POST /v1/completions} in OpenAI's legacy completions shape, whole or streamed.
 *
 * <p>A streamed response is {@code text/event-stream}: one {@code data: {chunk}\n\n} event per text delta
 * (a chunk is a whole response with the delta as {@code choices[0].text} and {@code finish_reason} null),
 * then a last chunk with empty text, the finish reason, usage and (if asked) the log-probabilities, then
 * {@code data: [DONE]\n\n}. Log-probabilities come only in that last chunk because deltas are text, not
 * tokens. An error after the stream started is sent as a {@code data: {"error": ...}} event before it ends.
 *
 * <p>If the client goes away, the next text delta aborts generation, so an abandoned request frees its
 * inference thread within one token.
 */
final class CompletionHandler implements Handler<RoutingContext> {

    private final Inference inference;
    private final int maxTokensLimit;

    CompletionHandler(Inference inference, int maxTokensLimit) {
        this.inference = inference;
        this.maxTokensLimit = maxTokensLimit;
    }

    @Override
    public void handle(RoutingContext ctx) {
        inference.admit(ctx);
        CompletionRequest req = CompletionRequest.from(Fields.body(ctx), maxTokensLimit);
        Lease lease = inference.pin(ctx, req.model());
        Meta meta = new Meta("cmpl-" + UUID.randomUUID(), System.currentTimeMillis() / 1000, req.model(), lease.version());
        if (req.stream()) {
            stream(ctx, req, lease, meta);
        } else {
            HttpServerResponse res = ctx.response();
            Consumer<String> abortIfGone = delta -> abortIfClosed(res);
            inference.run(lease, l -> inference.model().generate(req.prompt(), req.sampling(), l.parameters(), l.adaptation(), abortIfGone))
                    .onSuccess(g -> ctx.json(chunk(meta, g.text(), g.finishReason(), req.logprobs() ? g : null, g)))
                    .onFailure(e -> failUnlessGone(ctx, e));
        }
    }

    private void stream(RoutingContext ctx, CompletionRequest req, Lease lease, Meta meta) {
        HttpServerResponse res = ctx.response();
        res.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        // Writes hop back to the request's event loop in order; the worker never touches the response itself.
        Context loop = ctx.vertx().getOrCreateContext();
        Consumer<String> onText = delta -> {
            abortIfClosed(res);
            loop.runOnContext(v -> {
                if (!res.closed()) {
                    res.write(event(chunk(meta, delta, null, null, null)));
                }
            });
        };
        inference.run(lease, l -> inference.model().generate(req.prompt(), req.sampling(), l.parameters(), l.adaptation(), onText))
                .onComplete(ar -> {
                    if (res.closed()) {
                        return;
                    }
                    if (ar.failed() && !res.headWritten()) {
                        ctx.fail(ar.cause()); // nothing sent yet: a normal JSON error with its status
                        return;
                    }
                    if (ar.succeeded()) {
                        Generation g = ar.result();
                        res.write(event(chunk(meta, "", g.finishReason(), req.logprobs() ? g : null, g)));
                    } else {
                        res.write(event(ErrorRendering.toJson(ar.cause()).toString()));
                    }
                    res.end("data: [DONE]\n\n");
                });
    }

    /** A response (or stream chunk) object; {@code finish}, {@code logprobs} and {@code usage} may be null. */
    private JsonObject chunk(Meta meta, String text, String finish, Generation logprobs, Generation usage) {
        JsonObject choice = new JsonObject().put("text", text).put("index", 0)
                .put("logprobs", logprobs == null ? null : logprobs(inference.model(), logprobs)).put("finish_reason", finish);
        JsonObject o = new JsonObject().put("id", meta.id).put("object", "text_completion").put("created", meta.created)
                .put("model", meta.model).put("adapter_version", meta.version).put("choices", new JsonArray().add(choice));
        if (usage != null) {
            o.put("usage", new JsonObject().put("prompt_tokens", usage.promptTokens()).put("completion_tokens", usage.tokens().length)
                    .put("total_tokens", usage.promptTokens() + usage.tokens().length));
        }
        return o;
    }

    private static JsonObject logprobs(LanguageModel model, Generation g) {
        JsonArray tokens = new JsonArray();
        JsonArray lps = new JsonArray();
        for (int i = 0; i < g.tokens().length; i++) {
            tokens.add(model.tokenizer().decode(new int[] {g.tokens()[i]}));
            lps.add(g.logprobs()[i]);
        }
        return new JsonObject().put("tokens", tokens).put("token_logprobs", lps).putNull("top_logprobs");
    }

    private static String event(Object json) {
        return "data: " + json + "\n\n";
    }

    private static void abortIfClosed(HttpServerResponse res) {
        if (res.closed()) {
            throw new CancellationException("client disconnected");
        }
    }

    private static void failUnlessGone(RoutingContext ctx, Throwable e) {
        if (!ctx.response().closed()) {
            ctx.fail(e);
        }
    }

    /** What every chunk of one completion repeats. */
    private record Meta(String id, long created, String model, long version) {}
}
