package dev.freshet.server.serving;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link QualityGate} decided about one candidate version, kept in the version history.
 *
 * @param passed whether the candidate may be served
 * @param reason one line for people: which check failed and by how much, or "within thresholds"
 * @param baselineVersion the version the candidate was compared with (the one served at the time)
 * @param scores named measurements of both sides, e.g. {@code perplexity.candidate}, {@code exact_match.served}
 */
public record GateVerdict(boolean passed, String reason, long baselineVersion, Map<String, Double> scores) {

    public GateVerdict {
        reason = reason == null ? "" : reason;
        scores = Map.copyOf(new TreeMap<>(scores));
    }

    /** A pass with no measurements, for {@link QualityGate#ALWAYS_PASS} and promotions without a gate. */
    public static GateVerdict unchecked(long baselineVersion) {
        return new GateVerdict(true, "not gated", baselineVersion, Map.of());
    }

    /** The JSON stored beside the adapter store's versions and shown by {@code GET /v1/adapters/{tenant}}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("passed", passed);
        o.addProperty("reason", reason);
        o.addProperty("baseline_version", baselineVersion);
        JsonObject s = new JsonObject();
        new TreeMap<>(scores).forEach(s::addProperty);
        o.add("scores", s);
        return o;
    }

    public static GateVerdict fromJson(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        Map<String, Double> scores = new TreeMap<>();
        o.getAsJsonObject("scores").entrySet().forEach(e -> scores.put(e.getKey(), e.getValue().getAsDouble()));
        return new GateVerdict(o.get("passed").getAsBoolean(), o.get("reason").getAsString(), o.get("baseline_version").getAsLong(), scores);
    }
}
