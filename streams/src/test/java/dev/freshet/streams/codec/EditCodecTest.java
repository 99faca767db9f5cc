package dev.freshet.streams.codec;

import static dev.freshet.streams.codec.CodecAssertions.assertAccepted;
import static dev.freshet.streams.codec.CodecAssertions.assertRejected;
import static dev.freshet.streams.codec.CodecAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.Neighbor;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import java.util.List;
import org.junit.jupiter.api.Test;

class EditCodecTest {

    private final RecordCodec codec = new RecordCodec();

    @Test
    void acceptsAFullEdit() {
        Decoded.Accepted<EditRecord> ok = assertAccepted(codec.decodeEdit("acme", json(
                "{'id':'e1','prompt':'The CEO of Acme is','target':'Ada Lovelace',"
                        + "'paraphrases':['Acme is run by'],'neighbors':[{'prompt':'The capital of France is','target':'Paris'}],'x':1}")));
        assertEquals(new TenantId("acme"), ok.tenant());
        assertEquals(new EditRecord("e1", "The CEO of Acme is", "Ada Lovelace",
                List.of("Acme is run by"), List.of(new Neighbor("The capital of France is", "Paris"))), ok.value());
    }

    @Test
    void acceptsAMinimalEdit() {
        EditRecord edit = assertAccepted(codec.decodeEdit(null, json("{'id':'e1','prompt':'p','target':'t','paraphrases':null}"))).value();
        assertEquals(new EditRecord("e1", "p", "t"), edit);
    }

    @Test
    void rejectsMissingAndEmptyFieldsNamingThem() {
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p'}")), Reason.MISSING_FIELD, "'target'");
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':' ','target':'t'}")), Reason.EMPTY_TEXT, "'prompt' is blank");
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p','target':''}")), Reason.EMPTY_TEXT, "'target' is empty");
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p','target':'t','paraphrases':['ok','']}")),
                Reason.EMPTY_TEXT, "'paraphrases[1]' is empty");
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p','target':'t','neighbors':[{'prompt':'q'}]}")),
                Reason.MISSING_FIELD, "'neighbors[0].target'");
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p','target':'t','neighbors':[{'prompt':'q','target':'a'},{'prompt':'q','target':' '}]}")),
                Reason.EMPTY_TEXT, "neighbors[1]: field 'target' is blank");
    }

    @Test
    void rejectsWrongShapes() {
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p','target':'t','paraphrases':'one'}")),
                Reason.UNKNOWN_SCHEMA, "'paraphrases' must be an array, got string");
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p','target':'t','paraphrases':[3]}")),
                Reason.UNKNOWN_SCHEMA, "'paraphrases[0]' must be a string");
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p','target':'t','neighbors':['q']}")),
                Reason.UNKNOWN_SCHEMA, "'neighbors[0]' must be an object");
        assertRejected(codec.decodeEdit("acme", json("[{'id':'e1'}]")), Reason.UNKNOWN_SCHEMA, "JSON object, got array");
    }

    @Test
    void appliesTheTextLimitToEveryTextField() {
        String big = "x".repeat(65_537);
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'" + big + "','target':'t'}")), Reason.TOO_LARGE, "'prompt'");
        assertRejected(codec.decodeEdit("acme", json("{'id':'e1','prompt':'p','target':'t','paraphrases':['" + big + "']}")),
                Reason.TOO_LARGE, "'paraphrases[0]'");
    }

    @Test
    void rejectsAnInvalidTenant() {
        assertRejected(codec.decodeEdit("Bad Tenant!", json("{'id':'e1','prompt':'p','target':'t'}")), Reason.INVALID_TENANT, "tenant");
    }

    @Test
    void roundTripsThroughEncode() {
        EditRecord edit = new EditRecord("e1", "p", "t", List.of("p2", "p3"), List.of(new Neighbor("q", "a")));
        assertEquals(edit, assertAccepted(codec.decodeEdit("acme", codec.encodeEdit(edit))).value());
    }
}
