package dev.freshet.server.http;

import dev.freshet.server.serving.AdapterRegistry;
import dev.freshet.server.serving.VersionInfo;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

/**
 * The adapter routes: {@code GET /v1/models}, {@code GET /v1/adapters/:tenant} (version history with metrics
 * and gate verdicts), {@code POST /v1/adapters/:tenant/rollback} (admin). Reads come from the registry's
 * immutable views on the event loop; a rollback may load weights from disk, so it runs on the admin pool.
 */
final class AdapterRoutes {

    private final AdapterRegistry registry;
    private final WorkerExecutor admin;

    AdapterRoutes(AdapterRegistry registry, WorkerExecutor admin) {
        this.registry = registry;
        this.admin = admin;
    }

    void register(ApiRoutes routes) {
        routes.route(HttpMethod.GET, "/v1/models").handler(this::models);
        routes.route(HttpMethod.GET, "/v1/adapters/:tenant").handler(this::history);
        routes.protectedRoute(HttpMethod.POST, "/v1/adapters/:tenant/rollback").handler(this::rollback);
    }

    /** OpenAI's model list, each entry with the version it is served from. */
    private void models(RoutingContext ctx) {
        JsonArray data = new JsonArray();
        for (Map.Entry<String, Long> e : registry.snapshot().versions().entrySet()) {
            data.add(new JsonObject().put("id", e.getKey()).put("object", "model").put("owned_by", "freshet")
                    .put("adapter_version", e.getValue()));
        }
        ctx.json(new JsonObject().put("object", "list").put("data", data));
    }

    private void history(RoutingContext ctx) {
        String tenant = Fields.tenant(ctx.pathParam("tenant"));
        List<VersionInfo> versions = registry.history(tenant)
                .orElseThrow(() -> ApiException.notFound("tenant_not_found", "tenant '" + tenant + "' has no adapter versions"));
        ctx.json(historyJson(tenant, versions));
    }

    private void rollback(RoutingContext ctx) {
        RollbackRequest req = RollbackRequest.from(ctx.pathParam("tenant"), Fields.body(ctx));
        admin.executeBlocking(() -> registry.rollback(req.tenant(), req.version()), false)
                .onSuccess(v -> {
                    ctx.response().putHeader(Inference.VERSION_HEADER, Long.toString(v.version()));
                    ctx.json(historyJson(req.tenant(), registry.history(req.tenant()).orElse(List.of()))
                            .put("served_version", v.version()));
                })
                .onFailure(ctx::fail);
    }

    private JsonObject historyJson(String tenant, List<VersionInfo> versions) {
        JsonArray list = new JsonArray();
        // Gson objects (shared with the adapter store's files) re-parsed so both sides show one format.
        versions.forEach(v -> list.add(new JsonObject(v.toJson().toString())));
        Long served = registry.snapshot().versions().get(tenant);
        return new JsonObject().put("tenant", tenant).put("served_version", served).put("versions", list);
    }
}
