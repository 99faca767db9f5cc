package dev.freshet.server.http;

import dev.freshet.streams.record.TenantId;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Strict reads of request JSON: a wrong type is a 400 naming the field, never a silent coercion
 * (Jackson would happily read {@code 1.5} as an integer 1).
 */
final class Fields {

    private Fields() {}

    /** The request body as a JSON object. */
    static JsonObject body(RoutingContext ctx) {
        Buffer b = ctx.body().buffer();
        if (b == null || b.length() == 0) {
            throw ApiException.badRequest("invalid_json", "the request body must be a JSON object");
        }
        try {
            return new JsonObject(b);
        } catch (DecodeException | ClassCastException e) {
            throw ApiException.badRequest("invalid_json", "the request body is not a JSON object: " + firstLine(e.getMessage()));
        }
    }

    static String string(JsonObject o, String name, String dflt) {
        Object v = o.getValue(name);
        if (v == null) {
            if (dflt == null) {
                throw invalid(name, "is required");
            }
            return dflt;
        }
        if (!(v instanceof String s)) {
            throw invalid(name, "must be a string");
        }
        return s;
    }

    static long integer(JsonObject o, String name, long dflt, long min, long max) {
        Object v = o.getValue(name);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
            throw invalid(name, "must be an integer in [" + min + ", " + max + "]");
        }
        return ((Number) v).longValue();
    }

    static double number(JsonObject o, String name, double dflt, double min, double max) {
        Object v = o.getValue(name);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
            throw invalid(name, "must be a number in [" + min + ", " + max + "]");
        }
        return n.doubleValue();
    }

    static boolean bool(JsonObject o, String name, boolean dflt) {
        Object v = o.getValue(name);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean b)) {
            throw invalid(name, "must be true or false");
        }
        return b;
    }

    /** A string or an array of at most {@code max} strings (OpenAI's {@code stop}). */
    static List<String> strings(JsonObject o, String name, int max) {
        Object v = o.getValue(name);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof JsonArray a) || a.size() > max) {
            throw invalid(name, "must be a string or an array of at most " + max + " strings");
        }
        List<String> out = new ArrayList<>();
        for (Object e : a) {
            if (!(e instanceof String s) || s.isEmpty()) {
                throw invalid(name, "must contain only non-empty strings");
            }
            out.add(s);
        }
        return out;
    }

    /** A tenant path segment; an id that cannot exist is a 400, not a 404. */
    static String tenant(String value) {
        if (!TenantId.isValid(value)) {
            throw ApiException.badRequest("invalid_tenant", "tenant id '" + value + "' must match [a-z0-9][a-z0-9_-]{0,63}");
        }
        return value;
    }

    static ApiException invalid(String name, String problem) {
        return ApiException.badRequest("invalid_" + name, "'" + name + "' " + problem);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
