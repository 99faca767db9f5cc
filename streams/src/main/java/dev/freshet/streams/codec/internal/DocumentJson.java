package dev.freshet.streams.codec.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.InvalidRecordException;
import dev.freshet.streams.record.Reason;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Optional;

/**
 * The JSON form of a {@link DocumentRecord}: {@code {"id", "text"}} plus optional {@code "source"}
 * and {@code "ts"}. On input {@code ts} is an ISO-8601 instant ({@code "2026-11-23T12:00:00Z"}, an
 * offset is allowed) or epoch milliseconds; on output it is always the ISO-8601 UTC form.
 */
public final class DocumentJson {

    private DocumentJson() {}

    public static DocumentRecord read(Fields fields) {
        String id = fields.text("id");
        String text = fields.text("text");
        Optional<String> source = fields.optionalText("source");
        Optional<Instant> ts = fields.optional("ts").map(node -> instant(node, fields.path("ts")));
        return new DocumentRecord(id, text, source, ts);
    }

    public static ObjectNode write(DocumentRecord document) {
        ObjectNode node = JsonText.MAPPER.createObjectNode();
        node.put("id", document.id());
        node.put("text", document.text());
        document.source().ifPresent(source -> node.put("source", source));
        document.ts().ifPresent(ts -> node.put("ts", ts.toString()));
        return node;
    }

    private static Instant instant(JsonNode node, String path) {
        try {
            if (node.isTextual()) {
                return Instant.parse(node.textValue());
            }
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return Instant.ofEpochMilli(node.longValue());
            }
        } catch (DateTimeException e) {
            // fall through to the rejection below, which says what is accepted
        }
        throw new InvalidRecordException(Reason.UNKNOWN_SCHEMA, "field '" + path
                + "' must be an ISO-8601 instant such as \"2026-11-23T12:00:00Z\" or epoch milliseconds, got " + node);
    }
}
