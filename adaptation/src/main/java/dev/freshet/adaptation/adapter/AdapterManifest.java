package dev.freshet.adaptation.adapter;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON manifest saved beside an adapter's weights: what it adapts, which base it was trained on, where
 * it sits in the version history, and what it measured.
 *
 * @param baseModelId the base model's name
 * @param baseModelHash SHA-256 of the base weights file; an adapter refuses to load on another base
 * @param method the adaptation method that produced it ({@code uniform}, {@code camels}, {@code locft-bf}, ...)
 * @param spec what the adapter adapts
 * @param version this version's number (the base model is version 0)
 * @param parentVersion the version it was trained from
 * @param createdAtMillis wall-clock creation time
 * @param metrics named measurements (loss, gate scores, ...)
 * @param extra anything else a caller records (covered record ids, gate verdicts), as JSON
 */
public record AdapterManifest(
        String baseModelId,
        String baseModelHash,
        String method,
        AdapterSpec spec,
        long version,
        long parentVersion,
        long createdAtMillis,
        Map<String, Double> metrics,
        JsonObject extra) {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    public AdapterManifest {
        metrics = Map.copyOf(new TreeMap<>(metrics));
        extra = extra == null ? new JsonObject() : extra.deepCopy();
    }

    @Override
    public JsonObject extra() {
        return extra.deepCopy();
    }

    /** The same manifest for the next version. */
    public AdapterManifest nextVersion(long newVersion, String newMethod, Map<String, Double> newMetrics, JsonObject newExtra) {
        return new AdapterManifest(baseModelId, baseModelHash, newMethod, spec, newVersion, version, System.currentTimeMillis(), newMetrics, newExtra);
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", "freshet-adapter/1");
        o.addProperty("base_model_id", baseModelId);
        o.addProperty("base_model_hash", baseModelHash);
        o.addProperty("method", method);
        JsonObject s = new JsonObject();
        s.addProperty("kind", spec.kind());
        s.add("targets", GSON.toJsonTree(spec.targets()));
        if (spec instanceof AdapterSpec.Lora lora) {
            s.addProperty("rank", lora.rank());
            s.addProperty("alpha", lora.alpha());
            if (!lora.dense().isEmpty()) {
                s.add("dense", GSON.toJsonTree(lora.dense()));
            }
        }
        o.add("adapter", s);
        o.addProperty("version", version);
        o.addProperty("parent_version", parentVersion);
        o.addProperty("created_at_ms", createdAtMillis);
        o.add("metrics", GSON.toJsonTree(new TreeMap<>(metrics)));
        o.add("extra", extra);
        return GSON.toJson(o);
    }

    public static AdapterManifest fromJson(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        JsonObject s = o.getAsJsonObject("adapter");
        List<String> targets = s.getAsJsonArray("targets").asList().stream().map(JsonElement::getAsString).toList();
        AdapterSpec spec = switch (s.get("kind").getAsString()) {
            case "lora" -> new AdapterSpec.Lora(s.get("rank").getAsInt(), s.get("alpha").getAsFloat(), targets,
                    s.has("dense") ? s.getAsJsonArray("dense").asList().stream().map(JsonElement::getAsString).toList() : List.of());
            case "delta" -> new AdapterSpec.Delta(targets);
            default -> throw new IllegalArgumentException("unknown adapter kind in manifest: " + s.get("kind"));
        };
        Map<String, Double> metrics = new TreeMap<>();
        if (o.has("metrics")) {
            o.getAsJsonObject("metrics").entrySet().forEach(e -> metrics.put(e.getKey(), e.getValue().getAsDouble()));
        }
        return new AdapterManifest(
                o.get("base_model_id").getAsString(),
                o.get("base_model_hash").getAsString(),
                o.get("method").getAsString(),
                spec,
                o.get("version").getAsLong(),
                o.get("parent_version").getAsLong(),
                o.get("created_at_ms").getAsLong(),
                metrics,
                o.has("extra") ? o.getAsJsonObject("extra") : new JsonObject());
    }
}
