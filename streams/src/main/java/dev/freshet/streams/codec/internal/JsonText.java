package dev.freshet.streams.codec.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.freshet.streams.record.InvalidRecordException;
import dev.freshet.streams.record.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Turns raw record bytes into a JSON tree, or a {@link Reason#MALFORMED_JSON} rejection. */
public final class JsonText {

    /**
     * Strict on purpose: a duplicate key or trailing garbage means the sender's serialiser is broken,
     * and guessing which duplicate was meant would train on data nobody intended.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonText() {}

    /** Parses UTF-8 JSON; throws {@link InvalidRecordException} with MALFORMED_JSON for any failure. */
    public static JsonNode parse(byte[] value) {
        if (value == null) {
            throw new InvalidRecordException(Reason.MALFORMED_JSON, "value is null (a tombstone), expected a JSON object");
        }
        if (value.length == 0) {
            throw new InvalidRecordException(Reason.MALFORMED_JSON, "value is empty, expected a JSON object");
        }
        String text = decodeUtf8(value);
        try {
            JsonNode root = MAPPER.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new InvalidRecordException(Reason.MALFORMED_JSON, "value holds no JSON, only whitespace");
            }
            return root;
        } catch (JsonProcessingException e) {
            // getOriginalMessage() leaves out Jackson's source excerpt, which would echo the payload.
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw new InvalidRecordException(Reason.MALFORMED_JSON, "value is not valid JSON" + where + ": " + e.getOriginalMessage());
        }
    }

    /**
     * Decodes strictly. Jackson alone lets some invalid sequences through, and the JDK's lenient
     * decoder would silently turn them into U+FFFD, so a broken producer would go unnoticed.
     */
    private static String decodeUtf8(byte[] value) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(value);
        CharBuffer out = CharBuffer.allocate(value.length); // UTF-8 never yields more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidRecordException(Reason.MALFORMED_JSON,
                    "value is not valid UTF-8: bad byte sequence at offset " + in.position());
        }
        return out.flip().toString();
    }
}
