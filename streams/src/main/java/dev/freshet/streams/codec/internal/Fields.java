package dev.freshet.streams.codec.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.streams.record.InvalidRecordException;
import dev.freshet.streams.record.Reason;
import java.util.Locale;
import java.util.Optional;

/**
 * Typed reads of JSON object fields. Each read names the field by its full path (e.g.
 * {@code neighbors[2].target}) in the rejection: absent or {@code null} where required is
 * MISSING_FIELD, a wrong type is UNKNOWN_SCHEMA, a string over the limit is TOO_LARGE.
 */
public final class Fields {

    private final ObjectNode object;
    private final String prefix;
    private final int maxTextBytes;

    private Fields(ObjectNode object, String prefix, int maxTextBytes) {
        this.object = object;
        this.prefix = prefix;
        this.maxTextBytes = maxTextBytes;
    }

    /** The fields of the record's top-level value, which must be a JSON object. */
    public static Fields ofRoot(JsonNode root, int maxTextBytes) {
        if (!(root instanceof ObjectNode object)) {
            throw new InvalidRecordException(Reason.UNKNOWN_SCHEMA, "value must be a JSON object, got " + typeOf(root));
        }
        return new Fields(object, "", maxTextBytes);
    }

    /** A required string, at most {@code maxTextBytes} long in UTF-8. */
    public String text(String name) {
        return optionalText(name).orElseThrow(() -> missing(name));
    }

    /** An optional string; absent and {@code null} both mean empty. */
    public Optional<String> optionalText(String name) {
        return optional(name).map(node -> checkedText(node, path(name)));
    }

    /** A required integral number that fits a {@code long}. */
    public long integer(String name) {
        JsonNode node = optional(name).orElseThrow(() -> missing(name));
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw wrongType(path(name), "an integer", node);
        }
        return node.longValue();
    }

    /** An optional raw node of any type; absent and {@code null} both mean empty. */
    public Optional<JsonNode> optional(String name) {
        JsonNode node = object.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** A required nested object, read with the same limits. */
    public Fields object(String name) {
        return new Fields(objectNode(name), path(name) + ".", maxTextBytes);
    }

    /** A required nested object as a tree, for content whose schema is not ours to check. */
    public ObjectNode objectNode(String name) {
        JsonNode node = optional(name).orElseThrow(() -> missing(name));
        if (!(node instanceof ObjectNode nested)) {
            throw wrongType(path(name), "an object", node);
        }
        return nested;
    }

    /** An optional array; absent and {@code null} both mean empty. */
    public Optional<ArrayNode> optionalArray(String name) {
        return optional(name).map(node -> {
            if (!(node instanceof ArrayNode array)) {
                throw wrongType(path(name), "an array", node);
            }
            return array;
        });
    }

    /** Element {@code index} of array field {@code name} as a string, e.g. {@code paraphrases[3]}. */
    public String textAt(ArrayNode array, String name, int index) {
        JsonNode node = array.get(index);
        String path = path(name) + "[" + index + "]";
        if (node.isNull()) {
            throw new InvalidRecordException(Reason.MISSING_FIELD, "field '" + path + "' is null");
        }
        return checkedText(node, path);
    }

    /** Element {@code index} of array field {@code name} as an object. */
    public Fields objectAt(ArrayNode array, String name, int index) {
        return objectAt(array.get(index), path(name) + "[" + index + "]");
    }

    /** The full path of field {@code name}, for messages. */
    public String path(String name) {
        return prefix + name;
    }

    private Fields objectAt(JsonNode node, String path) {
        if (!(node instanceof ObjectNode nested)) {
            throw wrongType(path, "an object", node);
        }
        return new Fields(nested, path + ".", maxTextBytes);
    }

    private String checkedText(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw wrongType(path, "a string", node);
        }
        String text = node.textValue();
        long bytes = Utf8.length(text);
        if (bytes > maxTextBytes) {
            throw new InvalidRecordException(Reason.TOO_LARGE,
                    "field '" + path + "' is " + bytes + " UTF-8 bytes; the limit is " + maxTextBytes);
        }
        return text;
    }

    private InvalidRecordException missing(String name) {
        return new InvalidRecordException(Reason.MISSING_FIELD, "required field '" + path(name) + "' is missing");
    }

    private static InvalidRecordException wrongType(String path, String expected, JsonNode node) {
        return new InvalidRecordException(Reason.UNKNOWN_SCHEMA,
                "field '" + path + "' must be " + expected + ", got " + typeOf(node));
    }

    private static String typeOf(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
