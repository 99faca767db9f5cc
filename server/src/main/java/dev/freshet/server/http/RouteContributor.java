package dev.freshet.server.http;

/**
 * Adds routes to the HTTP API from outside this package: the extension point for {@code POST /v1/documents}
 * and {@code POST /v1/edits}, which produce to Kafka. Contributors are called once per verticle instance
 * after the built-in routes, with the request body already read (within the size limit).
 *
 * <pre>{@code
 * RouteContributor documents = routes -> routes.protectedRoute(HttpMethod.POST, "/v1/documents").handler(ctx -> {
 *     JsonObject body = ApiRoutes.jsonBody(ctx);                  // 400 on bad JSON
 *     ... validate into a record, produce, then ctx.json(...);    // throw ApiException for 4xx
 * });
 * }</pre>
 */
@FunctionalInterface
public interface RouteContributor {

    void addRoutes(ApiRoutes routes);
}
