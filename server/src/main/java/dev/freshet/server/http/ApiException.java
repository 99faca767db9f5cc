package dev.freshet.server.http;

import io.vertx.core.json.JsonObject;

/**
 * An HTTP error as a value with a status: thrown (or passed to {@code ctx.fail}) anywhere in a handler and
 * rendered by the router's failure handler as {@code {"error": {"message", "type", "code"}}}, OpenAI's
 * shape, so OpenAI clients surface the message.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;

    public ApiException(int status, String type, String code, String message) {
        super(message, null, false, false); // an expected outcome: no stack trace to fill
        this.status = status;
        this.type = type;
        this.code = code;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, "invalid_request_error", code, message);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "authentication_error", "invalid_token", "this route needs 'Authorization: Bearer <token>' with the admin token");
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, "invalid_request_error", code, message);
    }

    public static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", "request_too_large", "request body exceeds the limit of " + limit + " bytes");
    }

    public static ApiException busy(int limit) {
        return new ApiException(429, "rate_limit_error", "too_many_requests",
                "the server is at its limit of " + limit + " concurrent model requests; retry shortly");
    }

    public static ApiException notReady(String reason) {
        return new ApiException(503, "server_error", "not_ready", "the server is not ready: " + reason);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    /** The response body. */
    public JsonObject toJson() {
        return new JsonObject().put("error", new JsonObject().put("message", getMessage()).put("type", type).put("code", code));
    }
}
