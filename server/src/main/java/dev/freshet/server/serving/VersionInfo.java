package dev.freshet.server.serving;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.adapter.AdapterManifest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of a tenant's version history: an immutable view, replaced (never edited) when the state changes.
 *
 * @param version the version number; 0 is the base model
 * @param parentVersion the version it was trained from
 * @param method the adaptation method that made it ({@code base} for version 0)
 * @param state where it stands now
 * @param createdAtMillis when it was made (wall clock)
 * @param metrics what training measured (from the manifest)
 * @param gate the quality gate's verdict, or null when it was promoted without one
 * @param covered the ids of the records this version includes for the first time, by kind ({@code documents},
 *     {@code edits}), as its manifest records them; what lets a client measure freshness per record
 */
public record VersionInfo(long version, long parentVersion, String method, AdapterState state, long createdAtMillis,
        Map<String, Double> metrics, GateVerdict gate, Map<String, List<String>> covered) {

    public VersionInfo {
        metrics = Map.copyOf(metrics);
        covered = Map.copyOf(covered);
    }

    /** The base model as every tenant's version 0. */
    static VersionInfo base(AdapterState state) {
        return new VersionInfo(0, 0, "base", state, 0L, Map.of(), null, Map.of());
    }

    public static VersionInfo of(AdapterManifest m, AdapterState state, GateVerdict gate) {
        return new VersionInfo(m.version(), m.parentVersion(), m.method(), state, m.createdAtMillis(), m.metrics(), gate,
                coveredIn(m.extra()));
    }

    VersionInfo withState(AdapterState s) {
        return new VersionInfo(version, parentVersion, method, s, createdAtMillis, metrics, gate, covered);
    }

    VersionInfo withGate(GateVerdict g) {
        return new VersionInfo(version, parentVersion, method, state, createdAtMillis, metrics, g, covered);
    }

    /** The JSON of one history entry, as stored for gated versions and shown by {@code GET /v1/adapters/{tenant}}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("version", version);
        o.addProperty("parent_version", parentVersion);
        o.addProperty("method", method);
        o.addProperty("state", state.name());
        o.addProperty("created_at_ms", createdAtMillis);
        JsonObject m = new JsonObject();
        new TreeMap<>(metrics).forEach(m::addProperty);
        o.add("metrics", m);
        if (gate != null) {
            o.add("gate", gate.toJson());
        }
        JsonObject c = new JsonObject();
        new TreeMap<>(covered).forEach((kind, ids) -> {
            JsonArray a = new JsonArray();
            ids.forEach(a::add);
            c.add(kind, a);
        });
        o.add("covered", c);
        return o;
    }

    public static VersionInfo fromJson(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        Map<String, Double> metrics = new TreeMap<>();
        o.getAsJsonObject("metrics").entrySet().forEach(e -> metrics.put(e.getKey(), e.getValue().getAsDouble()));
        return new VersionInfo(o.get("version").getAsLong(), o.get("parent_version").getAsLong(), o.get("method").getAsString(),
                AdapterState.valueOf(o.get("state").getAsString()), o.get("created_at_ms").getAsLong(), metrics,
                o.has("gate") ? GateVerdict.fromJson(o.get("gate").toString()) : null, coveredIn(o));
    }

    /**
     * The {@code covered} object of a manifest's {@code extra} or a history entry: kind to ids. Read here
     * rather than through the training package's {@code CoveredRecords}, which serving must not know.
     */
    private static Map<String, List<String>> coveredIn(JsonObject o) {
        Map<String, List<String>> out = new TreeMap<>();
        if (o.has("covered") && o.get("covered").isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("covered").entrySet()) {
                out.put(e.getKey(), e.getValue().getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList());
            }
        }
        return out;
    }
}
