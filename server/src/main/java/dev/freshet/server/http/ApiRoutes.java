package dev.freshet.server.http;

import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * How routes join the API: each one is labelled with its path template for
 * {@code freshet_http_request_duration_seconds}, and protected ones check the admin bearer token. Errors
 * thrown as {@link ApiException} (or passed to {@code ctx.fail}) become JSON error responses.
 */
public final class ApiRoutes {

    static final String ROUTE_KEY = "freshet.route";

    private final Router router;
    private final Handler<RoutingContext> auth;
    private final WorkerExecutor blocking;

    ApiRoutes(Router router, Handler<RoutingContext> auth, WorkerExecutor blocking) {
        this.router = router;
        this.auth = auth;
        this.blocking = blocking;
    }

    /** A public route; add handlers to the returned route. */
    public Route route(HttpMethod method, String path) {
        return router.route(method, path).handler(ctx -> {
            ctx.put(ROUTE_KEY, path);
            ctx.next();
        });
    }

    /** A write or admin route: requires the admin token when one is configured (401 otherwise). */
    public Route protectedRoute(HttpMethod method, String path) {
        return route(method, path).handler(auth);
    }

    /**
     * The {@code freshet-admin} worker pool, for short blocking work of admin and write routes (disk, a
     * Kafka send). Model calls use the inference pool instead; never block an event loop.
     */
    public WorkerExecutor blockingExecutor() {
        return blocking;
    }

    /** The request body as a JSON object, or a 400. */
    public static JsonObject jsonBody(RoutingContext ctx) {
        return Fields.body(ctx);
    }
}
