package dev.freshet.streams.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.streams.codec.internal.AdapterEventJson;
import dev.freshet.streams.codec.internal.DocumentJson;
import dev.freshet.streams.codec.internal.EditJson;
import dev.freshet.streams.codec.internal.Fields;
import dev.freshet.streams.codec.internal.JsonText;
import dev.freshet.streams.record.AdapterEvent;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.InvalidRecordException;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.Function;

/**
 * Decodes Kafka records into validated Freshet records, and encodes them back. This is the edge:
 * everything past it holds records that are valid by construction.
 *
 * <p>Keys are tenant ids ({@code null} means {@link TenantId#DEFAULT}); values are UTF-8 JSON
 * objects. Unknown extra fields are ignored, so senders may add their own. Decoding never throws for
 * bad input; it returns {@link Decoded.Rejected} with one of these reasons, checked in this order:
 *
 * <ol>
 *   <li>{@link Reason#INVALID_TENANT}: the key is not a valid tenant id (or, for adapter events,
 *       differs from the {@code tenant} field);
 *   <li>{@link Reason#MALFORMED_JSON}: the value is null, empty, not UTF-8, or not parsable JSON;
 *   <li>{@link Reason#UNKNOWN_SCHEMA}: the JSON is not an object, or a field has the wrong type;
 *   <li>{@link Reason#MISSING_FIELD}: a required field is absent or {@code null};
 *   <li>{@link Reason#TOO_LARGE}: a text field is over {@link CodecLimits#maxTextBytes()};
 *   <li>{@link Reason#EMPTY_TEXT}: a required text field is empty or blank.
 * </ol>
 *
 * (Type, presence and size are checked field by field in document order, so the first bad field
 * decides among reasons 3 to 5.) The instance is immutable and thread-safe.
 */
public final class RecordCodec {

    private final CodecLimits limits;

    /** A codec with the given limits. */
    public RecordCodec(CodecLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** A codec with {@link CodecLimits#DEFAULT}. */
    public RecordCodec() {
        this(CodecLimits.DEFAULT);
    }

    /** The limits this codec enforces. */
    public CodecLimits limits() {
        return limits;
    }

    /** Decodes a document: {@code {"id", "text"}} plus optional {@code "source"}, {@code "ts"}. */
    public Decoded<DocumentRecord> decodeDocument(String key, byte[] value) {
        return decode(key, value, limits.maxTextBytes(), DocumentJson::read);
    }

    /** Decodes an edit: {@code {"id", "prompt", "target"}} plus optional {@code "paraphrases"}, {@code "neighbors"}. */
    public Decoded<EditRecord> decodeEdit(String key, byte[] value) {
        return decode(key, value, limits.maxTextBytes(), EditJson::read);
    }

    /**
     * Decodes an adapter event. Text limits do not apply (adapter events are written by Freshet, and
     * inline weights are large by nature), but the {@code tenant} field must equal the key's tenant.
     */
    public Decoded<AdapterEvent> decodeAdapterEvent(String key, byte[] value) {
        Decoded<AdapterEvent> decoded = decode(key, value, Integer.MAX_VALUE, AdapterEventJson::read);
        if (decoded instanceof Decoded.Accepted<AdapterEvent> accepted && !accepted.tenant().equals(accepted.value().tenant())) {
            return new Decoded.Rejected<>(Reason.INVALID_TENANT, "field 'tenant' is '" + accepted.value().tenant()
                    + "' but the record key names tenant '" + accepted.tenant() + "'");
        }
        return decoded;
    }

    /** The UTF-8 JSON value of a document (its tenant goes in the key, not the value). */
    public byte[] encodeDocument(DocumentRecord document) {
        return bytes(DocumentJson.write(document));
    }

    /** The UTF-8 JSON value of an edit (its tenant goes in the key, not the value). */
    public byte[] encodeEdit(EditRecord edit) {
        return bytes(EditJson.write(edit));
    }

    /**
     * The UTF-8 JSON value of an adapter event; produce it with the tenant as key.
     *
     * @throws IllegalArgumentException if the event's manifest text is not a JSON object
     */
    public byte[] encodeAdapterEvent(AdapterEvent event) {
        return bytes(AdapterEventJson.write(event));
    }

    private static <T> Decoded<T> decode(String key, byte[] value, int maxTextBytes, Function<Fields, T> reader) {
        try {
            TenantId tenant = TenantId.fromKey(key);
            return new Decoded.Accepted<>(tenant, reader.apply(Fields.ofRoot(JsonText.parse(value), maxTextBytes)));
        } catch (InvalidRecordException e) {
            return Decoded.Rejected.of(e.rejection());
        } catch (RuntimeException e) {
            // Not expected; but the contract is that bad input never throws, so a bug in a check
            // dead-letters the record instead of stopping the consumer.
            return new Decoded.Rejected<>(Reason.PROCESSING_FAILED, "value could not be decoded: " + e);
        }
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JsonText.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("writing a JSON tree to bytes cannot fail", e);
        }
    }
}
