package dev.freshet.server.http;

import dev.freshet.server.serving.UnknownModelException;
import dev.freshet.server.serving.UnknownVersionException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's failure handler: every failure becomes {@code {"error": {"message", "type", "code"}}} with its
 * status. Known exceptions map to 4xx; anything else is a 500 whose details go to the log, not the client.
 */
final class ErrorRendering {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorRendering.class);

    private final long maxBodyBytes;

    ErrorRendering(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    void handle(RoutingContext ctx) {
        ApiException e = toApi(ctx.failure(), ctx.statusCode(), maxBodyBytes);
        if (e.status() >= 500 && !(ctx.failure() instanceof ApiException)) {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
        }
        if (ctx.response().headWritten()) {
            ctx.response().end(); // too late for a status; close what was started
            return;
        }
        ctx.response().setStatusCode(e.status()).putHeader("Content-Type", "application/json").end(e.toJson().encode());
    }

    /** The error object for a failure inside an already started event stream. */
    static JsonObject toJson(Throwable failure) {
        return toApi(failure, -1, -1).toJson();
    }

    private static ApiException toApi(Throwable t, int status, long maxBodyBytes) {
        if (t instanceof ApiException a) {
            return a;
        }
        if (t instanceof UnknownModelException) {
            return ApiException.notFound("model_not_found", t.getMessage());
        }
        if (t instanceof UnknownVersionException) {
            return ApiException.notFound("version_not_found", t.getMessage());
        }
        if (t instanceof IllegalArgumentException) {
            // From the model's own checks, e.g. a continuation longer than its context window.
            return ApiException.badRequest("invalid_request", t.getMessage());
        }
        return switch (status) {
            case 400 -> ApiException.badRequest("bad_request", "malformed request");
            case 404 -> ApiException.notFound("not_found", "no such route");
            case 405 -> new ApiException(405, "invalid_request_error", "method_not_allowed", "method not allowed on this route");
            case 413 -> ApiException.tooLarge(maxBodyBytes); // Vert.x's body handler does not say the limit
            default -> new ApiException(500, "server_error", "internal_error", "internal error" + (t == null ? "" : ": " + t.getClass().getSimpleName()));
        };
    }
}
