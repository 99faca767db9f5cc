package dev.freshet.streams.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The invariants the record constructors enforce, independent of any wire format. */
class RecordsTest {

    @Test
    void reasonHeaderValuesAreStableLowercaseAndRoundTrip() {
        assertEquals("malformed_json", Reason.MALFORMED_JSON.headerValue());
        assertEquals("missing_field", Reason.MISSING_FIELD.headerValue());
        assertEquals("unknown_schema", Reason.UNKNOWN_SCHEMA.headerValue());
        assertEquals("empty_text", Reason.EMPTY_TEXT.headerValue());
        assertEquals("too_large", Reason.TOO_LARGE.headerValue());
        assertEquals("invalid_tenant", Reason.INVALID_TENANT.headerValue());
        assertEquals("nan_loss", Reason.NAN_LOSS.headerValue());
        assertEquals("processing_failed", Reason.PROCESSING_FAILED.headerValue());
        Set<String> seen = new HashSet<>();
        for (Reason reason : EnumSet.allOf(Reason.class)) {
            assertTrue(seen.add(reason.headerValue()));
            assertEquals(Optional.of(reason), Reason.fromHeaderValue(reason.headerValue()));
        }
        assertEquals(Optional.empty(), Reason.fromHeaderValue("MALFORMED_JSON"));
    }

    @Test
    void documentRejectsBlankTextAndMissingId() {
        assertEquals(Reason.EMPTY_TEXT, reason(() -> new DocumentRecord("d1", "  \n")));
        assertEquals(Reason.EMPTY_TEXT, reason(() -> new DocumentRecord("d1", "")));
        assertEquals(Reason.MISSING_FIELD, reason(() -> new DocumentRecord(null, "text")));
        assertEquals(Reason.TOO_LARGE, reason(() -> new DocumentRecord("x".repeat(257), "text")));
        DocumentRecord ok = new DocumentRecord("d1", "text", null, null);
        assertEquals(Optional.empty(), ok.source());
        assertEquals(Optional.empty(), ok.ts());
    }

    @Test
    void editCopiesItsListsAndRejectsBlankEntries() {
        List<String> paraphrases = new ArrayList<>(List.of("p1"));
        EditRecord edit = new EditRecord("e1", "prompt", "target", paraphrases, null);
        paraphrases.add("p2");
        assertEquals(List.of("p1"), edit.paraphrases());
        assertEquals(List.of(), edit.neighbors());
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> new EditRecord("e1", "prompt", "target", List.of("ok", " "), List.of()));
        assertEquals(new Rejection(Reason.EMPTY_TEXT, "field 'paraphrases[1]' is blank"), e.rejection());
        assertEquals(Reason.EMPTY_TEXT, reason(() -> new Neighbor("q", "")));
    }

    @Test
    void adapterVersionsFormAChainFromTheBaseModel() {
        TenantId t = new TenantId("acme");
        WeightsLocation w = new WeightsLocation.Stored("file:///tmp/a.safetensors");
        new AdapterEvent(t, 1, 0, "camels", "{}", w);
        assertEquals(Reason.UNKNOWN_SCHEMA, reason(() -> new AdapterEvent(t, 0, 0, "camels", "{}", w)));
        assertEquals(Reason.UNKNOWN_SCHEMA, reason(() -> new AdapterEvent(t, 3, 3, "camels", "{}", w)));
        assertEquals(Reason.UNKNOWN_SCHEMA, reason(() -> new AdapterEvent(t, 3, -1, "camels", "{}", w)));
        assertEquals(Reason.EMPTY_TEXT, reason(() -> new AdapterEvent(t, 2, 1, " ", "{}", w)));
        assertEquals(Reason.MISSING_FIELD, reason(() -> new AdapterEvent(t, 2, 1, "camels", "{}", null)));
    }

    @Test
    void weightsCompareByContentAndUrisMustBeAbsolute() {
        assertEquals(new WeightsLocation.Inline(new byte[] {1, 2}), new WeightsLocation.Inline(new byte[] {1, 2}));
        assertNotEquals(new WeightsLocation.Inline(new byte[] {1, 2}), new WeightsLocation.Inline(new byte[] {1, 3}));
        assertEquals(Reason.EMPTY_TEXT, reason(() -> new WeightsLocation.Inline(new byte[0])));
        assertEquals(Reason.UNKNOWN_SCHEMA, reason(() -> new WeightsLocation.Stored("relative/path")));
        assertEquals(Reason.UNKNOWN_SCHEMA, reason(() -> new WeightsLocation.Stored("s3://bad uri")));
    }

    @Test
    void deadLettersCompareValuesByContent() {
        DeadLetter a = new DeadLetter("t", 0, 5, "k", new byte[] {1}, Reason.MALFORMED_JSON, "d");
        DeadLetter b = DeadLetter.of("t", 0, 5, "k", new byte[] {1}, new Rejection(Reason.MALFORMED_JSON, "d"));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertThrows(IllegalArgumentException.class, () -> new DeadLetter("t", -1, 0, null, null, Reason.NAN_LOSS, "d"));
    }

    private static Reason reason(Runnable construct) {
        return assertThrows(InvalidRecordException.class, construct::run).rejection().reason();
    }
}
