package dev.freshet.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Guards write and admin routes with {@code Authorization: Bearer <token>} when a token is configured. */
final class BearerAuth implements Handler<RoutingContext> {

    private final byte[] expected; // null: routes are open

    BearerAuth(String token) {
        this.expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (expected == null) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        // Constant-time comparison: the token must not be guessable byte by byte from response times.
        if (header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
            ctx.next();
        } else {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            ctx.fail(ApiException.unauthorized());
        }
    }
}
