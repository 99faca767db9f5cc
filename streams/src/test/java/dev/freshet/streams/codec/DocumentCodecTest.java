package dev.freshet.streams.codec;

import static dev.freshet.streams.codec.CodecAssertions.assertAccepted;
import static dev.freshet.streams.codec.CodecAssertions.assertRejected;
import static dev.freshet.streams.codec.CodecAssertions.json;
import static dev.freshet.streams.codec.CodecAssertions.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DocumentCodecTest {

    private final RecordCodec codec = new RecordCodec();

    @Test
    void acceptsAMinimalDocument() {
        Decoded.Accepted<DocumentRecord> ok = assertAccepted(codec.decodeDocument("acme", json("{'id':'d1','text':'Paris is in France.'}")));
        assertEquals(new TenantId("acme"), ok.tenant());
        assertEquals(new DocumentRecord("d1", "Paris is in France."), ok.value());
    }

    @Test
    void acceptsOptionalFieldsAndIgnoresUnknownOnes() {
        DocumentRecord doc = assertAccepted(codec.decodeDocument("acme", json(
                "{'id':'d1','text':'t','source':'https://example.org/a','ts':'2026-11-23T12:00:00+01:00','lang':'en','n':[1]}"))).value();
        assertEquals(Optional.of("https://example.org/a"), doc.source());
        assertEquals(Optional.of(Instant.parse("2026-11-23T11:00:00Z")), doc.ts());
        DocumentRecord millis = assertAccepted(codec.decodeDocument("acme", json("{'id':'d1','text':'t','ts':1795435200000,'source':null}"))).value();
        assertEquals(Optional.of(Instant.ofEpochMilli(1795435200000L)), millis.ts());
        assertEquals(Optional.empty(), millis.source());
    }

    @Test
    void nullKeyMeansTheDefaultTenant() {
        assertEquals(TenantId.DEFAULT, assertAccepted(codec.decodeDocument(null, json("{'id':'d1','text':'t'}"))).tenant());
    }

    @Test
    void rejectsAnInvalidTenant() {
        assertRejected(codec.decodeDocument("Bad Tenant!", json("{'id':'d1','text':'t'}")), Reason.INVALID_TENANT, "'Bad Tenant!'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":\"d1\",\"text\":", "{id:1}", "not json", "{\"id\":\"d1\",\"text\":\"t\"} {}", "{\"id\":\"a\",\"id\":\"b\",\"text\":\"t\"}", "   "})
    void rejectsMalformedJson(String value) {
        assertRejected(codec.decodeDocument("acme", utf8(value)), Reason.MALFORMED_JSON, "");
    }

    @Test
    void rejectsInvalidUtf8EmptyAndNullValues() {
        byte[] invalid = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
        assertRejected(codec.decodeDocument("acme", invalid), Reason.MALFORMED_JSON, "UTF-8");
        assertRejected(codec.decodeDocument("acme", new byte[0]), Reason.MALFORMED_JSON, "empty");
        assertRejected(codec.decodeDocument("acme", null), Reason.MALFORMED_JSON, "tombstone");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"text\"", "42", "null", "true"})
    void rejectsAValueThatIsNotAnObject(String value) {
        assertRejected(codec.decodeDocument("acme", utf8(value)), Reason.UNKNOWN_SCHEMA, "JSON object");
    }

    @Test
    void rejectsMissingFieldsNamingThem() {
        assertRejected(codec.decodeDocument("acme", json("{'id':'d1'}")), Reason.MISSING_FIELD, "'text'");
        assertRejected(codec.decodeDocument("acme", json("{'id':'d1','text':null}")), Reason.MISSING_FIELD, "'text'");
        assertRejected(codec.decodeDocument("acme", json("{'text':'t'}")), Reason.MISSING_FIELD, "'id'");
    }

    @Test
    void rejectsWrongTypesNamingTheField() {
        assertRejected(codec.decodeDocument("acme", json("{'id':'d1','text':5}")), Reason.UNKNOWN_SCHEMA, "'text' must be a string, got number");
        assertRejected(codec.decodeDocument("acme", json("{'id':7,'text':'t'}")), Reason.UNKNOWN_SCHEMA, "'id'");
        assertRejected(codec.decodeDocument("acme", json("{'id':'d1','text':'t','source':{}}")), Reason.UNKNOWN_SCHEMA, "'source'");
        assertRejected(codec.decodeDocument("acme", json("{'id':'d1','text':'t','ts':'yesterday'}")), Reason.UNKNOWN_SCHEMA, "'ts'");
    }

    @Test
    void rejectsEmptyAndBlankText() {
        assertRejected(codec.decodeDocument("acme", json("{'id':'d1','text':''}")), Reason.EMPTY_TEXT, "'text' is empty");
        assertRejected(codec.decodeDocument("acme", json("{'id':'d1','text':' \\n\\t'}")), Reason.EMPTY_TEXT, "'text' is blank");
        assertRejected(codec.decodeDocument("acme", json("{'id':' ','text':'t'}")), Reason.EMPTY_TEXT, "'id'");
    }

    @Test
    void acceptsTextOfExactly64KiBAndRejectsOneByteMore() {
        assertAccepted(codec.decodeDocument("acme", document("a".repeat(65_536))));
        assertRejected(codec.decodeDocument("acme", document("a".repeat(65_537))), Reason.TOO_LARGE, "65537 UTF-8 bytes; the limit is 65536");
        // The limit counts UTF-8 bytes, not characters: 21,846 euro signs are 65,538 bytes.
        assertRejected(codec.decodeDocument("acme", document("€".repeat(21_846))), Reason.TOO_LARGE, "'text'");
    }

    @Test
    void honoursAConfiguredLimit() {
        RecordCodec small = new RecordCodec(new CodecLimits(10));
        assertAccepted(small.decodeDocument("acme", document("0123456789")));
        assertRejected(small.decodeDocument("acme", document("0123456789x")), Reason.TOO_LARGE, "limit is 10");
    }

    @Test
    void roundTripsThroughEncode() {
        DocumentRecord doc = new DocumentRecord("d1", "Ünïcödé \"quoted\"\n😀", Optional.of("feed"), Optional.of(Instant.parse("2026-01-02T03:04:05.678Z")));
        assertEquals(doc, assertAccepted(codec.decodeDocument("acme", codec.encodeDocument(doc))).value());
        DocumentRecord bare = new DocumentRecord("d2", "t");
        assertEquals(bare, assertAccepted(codec.decodeDocument("acme", codec.encodeDocument(bare))).value());
    }

    @Test
    void neverThrowsOnArbitraryBytes() {
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] value = new byte[random.nextInt(64)];
            random.nextBytes(value);
            if (i % 2 == 0 && value.length > 0) {
                value[0] = '{'; // get past the first character more often
            }
            assertNotNull(codec.decodeDocument("acme", value));
            assertNotNull(codec.decodeEdit("acme", value));
            assertNotNull(codec.decodeAdapterEvent("acme", value));
        }
    }

    private static byte[] document(String text) {
        return utf8("{\"id\":\"d1\",\"text\":\"" + text + "\"}");
    }
}
