package dev.freshet.server.http;

import io.vertx.core.json.JsonObject;

/**
 * A validated {@code POST /v1/adapters/{tenant}/rollback}: serve {@code version} again (0 = the base model).
 */
public record RollbackRequest(String tenant, long version) {

    static RollbackRequest from(String tenant, JsonObject o) {
        if (o.getValue("version") == null) {
            throw Fields.invalid("version", "is required");
        }
        return new RollbackRequest(Fields.tenant(tenant), Fields.integer(o, "version", 0, 0, Long.MAX_VALUE));
    }
}
