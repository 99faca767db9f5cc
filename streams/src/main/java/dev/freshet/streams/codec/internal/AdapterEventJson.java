package dev.freshet.streams.codec.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.streams.record.AdapterEvent;
import dev.freshet.streams.record.InvalidRecordException;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import dev.freshet.streams.record.WeightsLocation;
import java.util.Base64;
import java.util.Optional;

/**
 * The JSON form of an {@link AdapterEvent}: {@code {"tenant", "version", "parent_version",
 * "method", "manifest": {...}, "weights": {"inline": "<base64>"} | {"uri": "..."}}}.
 */
public final class AdapterEventJson {

    private AdapterEventJson() {}

    public static AdapterEvent read(Fields fields) {
        TenantId tenant = new TenantId(fields.text("tenant"));
        long version = fields.integer("version");
        long parentVersion = fields.integer("parent_version");
        String method = fields.text("method");
        String manifest = fields.objectNode("manifest").toString(); // compact JSON text
        return new AdapterEvent(tenant, version, parentVersion, method, manifest, weights(fields.object("weights")));
    }

    /** @throws IllegalArgumentException if the event's manifest is not a JSON object (a bug in the caller) */
    public static ObjectNode write(AdapterEvent event) {
        ObjectNode node = JsonText.MAPPER.createObjectNode();
        node.put("tenant", event.tenant().value());
        node.put("version", event.version());
        node.put("parent_version", event.parentVersion());
        node.put("method", event.method());
        node.set("manifest", manifest(event.manifestJson()));
        ObjectNode weights = node.putObject("weights");
        if (event.weights() instanceof WeightsLocation.Inline inline) {
            weights.put("inline", Base64.getEncoder().encodeToString(inline.safetensors()));
        } else if (event.weights() instanceof WeightsLocation.Stored stored) {
            weights.put("uri", stored.uri());
        }
        return node;
    }

    private static WeightsLocation weights(Fields weights) {
        Optional<String> inline = weights.optionalText("inline");
        Optional<String> uri = weights.optionalText("uri");
        if (inline.isPresent() == uri.isPresent()) {
            throw new InvalidRecordException(inline.isPresent() ? Reason.UNKNOWN_SCHEMA : Reason.MISSING_FIELD,
                    "field 'weights' must hold exactly one of 'inline' (base64 safetensors) or 'uri'");
        }
        if (uri.isPresent()) {
            return new WeightsLocation.Stored(uri.get());
        }
        try {
            return new WeightsLocation.Inline(Base64.getDecoder().decode(inline.get()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(Reason.UNKNOWN_SCHEMA, "field 'weights.inline' is not valid base64: " + e.getMessage());
        }
    }

    private static JsonNode manifest(String manifestJson) {
        try {
            JsonNode manifest = JsonText.MAPPER.readTree(manifestJson);
            if (manifest instanceof ObjectNode) {
                return manifest;
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("manifestJson is not valid JSON: " + e.getOriginalMessage(), e);
        }
        throw new IllegalArgumentException("manifestJson must be a JSON object, got: " + manifestJson);
    }
}
