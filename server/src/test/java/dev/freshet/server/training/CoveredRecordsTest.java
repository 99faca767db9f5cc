package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a manifest records about the records a version covers. */
class CoveredRecordsTest {

    private static CoveredRecords.Entry doc(String id, int partition, long offset) {
        return new CoveredRecords.Entry(CoveredRecords.Kind.DOCUMENT, id, "f.documents", partition, offset, 100 + offset);
    }

    @Test
    void offsetsBecomeContiguousRunsPerPartition() {
        CoveredRecords c = new CoveredRecords(List.of(doc("a", 0, 5), doc("b", 0, 3), doc("c", 0, 4), doc("d", 0, 9), doc("e", 1, 0),
                new CoveredRecords.Entry(CoveredRecords.Kind.EDIT, "x", "f.edits", 0, 2, 7)));
        assertEquals(List.of(
                new CoveredRecords.OffsetRange("f.documents", 0, 3, 5),
                new CoveredRecords.OffsetRange("f.documents", 0, 9, 9),
                new CoveredRecords.OffsetRange("f.documents", 1, 0, 0),
                new CoveredRecords.OffsetRange("f.edits", 0, 2, 2)), c.offsetRanges());
    }

    @Test
    void idsRoundTripThroughTheManifestJsonByKind() {
        CoveredRecords c = new CoveredRecords(List.of(doc("a", 0, 1), doc("b", 0, 2),
                new CoveredRecords.Entry(CoveredRecords.Kind.EDIT, "a", "f.edits", 0, 0, 7)));
        JsonObject extra = JsonParser.parseString(c.toJson().toString()).getAsJsonObject();
        assertEquals(Set.of("a", "b"), CoveredRecords.idsIn(extra, CoveredRecords.Kind.DOCUMENT));
        assertEquals(Set.of("a"), CoveredRecords.idsIn(extra, CoveredRecords.Kind.EDIT));
        assertEquals(7, extra.getAsJsonObject("record_time_ms").get("min").getAsLong());
        assertEquals(Set.of(), CoveredRecords.idsIn(new JsonObject(), CoveredRecords.Kind.DOCUMENT), "a manifest without covered ids");
    }
}
