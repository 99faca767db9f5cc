package dev.freshet.server.http;

import dev.freshet.server.metrics.FreshetMetrics;
import dev.freshet.server.serving.AdapterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Freshet's HTTP API: one verticle serving the model routes, the adapter routes, health and metrics.
 *
 * <ul>
 *   <li>{@code POST /v1/completions}, {@code POST /v1/score}: model calls on the {@code freshet-infer} pool,
 *       capped by the in-flight limit (429), 503 until ready, header {@code X-Adapter-Version};
 *   <li>{@code GET /v1/models}, {@code GET /v1/adapters/:tenant}, {@code POST /v1/adapters/:tenant/rollback}
 *       (bearer token when configured);
 *   <li>{@code GET /health/live} (the process answers), {@code GET /health/ready} (ready for model traffic),
 *       {@code GET /metrics} (Prometheus text);
 *   <li>routes added by {@link RouteContributor}s (documents and edits).
 * </ul>
 * Bodies over the limit get 413; every error is JSON (see {@link ApiException}). The event loop only parses,
 * routes and writes: model calls, rollbacks and scrapes run on named worker pools.
 */
public final class HttpApiVerticle extends VerticleBase {

    /** Name of the inference pool (thread names start with it). */
    public static final String INFER_POOL = "freshet-infer";
    /** Name of the pool for short blocking admin work. */
    public static final String ADMIN_POOL = "freshet-admin";

    private final HttpConfig config;
    private final AdapterRegistry registry;
    private final FreshetMetrics metrics;
    private final Readiness readiness;
    private final List<RouteContributor> contributors;
    private WorkerExecutor infer;
    private WorkerExecutor admin;
    private HttpServer server;

    public HttpApiVerticle(HttpConfig config, AdapterRegistry registry, FreshetMetrics metrics, Readiness readiness,
            List<RouteContributor> contributors) {
        this.config = config;
        this.registry = registry;
        this.metrics = metrics;
        this.readiness = readiness;
        this.contributors = List.copyOf(contributors);
    }

    @Override
    public Future<?> start() {
        // A completion may legitimately run for minutes on a CPU; don't let Vert.x flag it as blocked.
        infer = vertx.createSharedWorkerExecutor(INFER_POOL, config.inferenceThreads(), 10, TimeUnit.MINUTES);
        admin = vertx.createSharedWorkerExecutor(ADMIN_POOL, 2, 2, TimeUnit.MINUTES);
        Inference inference = new Inference(registry, infer, new InFlightLimit(config.maxInFlight(), metrics.httpInFlight()), readiness);
        ErrorRendering errors = new ErrorRendering(config.maxBodyBytes());

        Router router = Router.router(vertx);
        router.route().handler(this::timed);
        router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.route().failureHandler(errors::handle);
        ApiRoutes routes = new ApiRoutes(router, new BearerAuth(config.adminToken()), admin);
        routes.route(HttpMethod.POST, "/v1/completions").handler(new CompletionHandler(inference, config.maxTokensLimit()));
        routes.route(HttpMethod.POST, "/v1/score").handler(new ScoreHandler(inference));
        new AdapterRoutes(registry, admin).register(routes);
        routes.route(HttpMethod.GET, "/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "live")));
        routes.route(HttpMethod.GET, "/health/ready").handler(this::ready);
        routes.route(HttpMethod.GET, "/metrics").handler(this::scrape);
        contributors.forEach(c -> c.addRoutes(routes));
        // Unmatched paths: a JSON 404 instead of Vert.x's HTML page.
        router.route().last().handler(ctx -> ctx.fail(ApiException.notFound("not_found", "no route " + ctx.request().method() + " " + ctx.request().path())));

        return vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
                .requestHandler(router).listen().onSuccess(s -> server = s);
    }

    @Override
    public Future<?> stop() {
        return Future.join(infer.close(), admin.close());
    }

    /** The bound port (useful with port 0); -1 before start. */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    /** Observes every request's duration by route template, method and status. */
    private void timed(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(ar -> metrics.httpDuration()
                .labelValues(ctx.get(ApiRoutes.ROUTE_KEY, "unmatched"), ctx.request().method().name(), Integer.toString(ctx.response().getStatusCode()))
                .observe((System.nanoTime() - start) / 1e9));
        ctx.next();
    }

    private void ready(RoutingContext ctx) {
        readiness.problem().ifPresentOrElse(p -> ctx.fail(ApiException.notReady(p)), () -> ctx.json(new JsonObject().put("status", "ready")));
    }

    private void scrape(RoutingContext ctx) {
        // Collecting JVM and /proc metrics is blocking I/O, however brief.
        admin.executeBlocking(metrics::scrape, false)
                .onSuccess(bytes -> ctx.response().putHeader("Content-Type", metrics.contentType()).end(Buffer.buffer(bytes)))
                .onFailure(ctx::fail);
    }
}
