package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.training.MwiScope;
import dev.freshet.server.training.Origin;
import dev.freshet.server.training.Receipt;
import dev.freshet.server.training.TestModels;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.streams.record.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench documents} end to end on a tiny model: every document reaches a version in each arm, the rows and JSON say so. */
class DocumentsBenchTest {

    @TempDir
    Path out;

    @Test
    void everyWeightingAndRateTrainsEveryDocumentIntoServedVersionsAndTheReportSaysSo() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<DocumentsBench.Row> rows;
        try (LanguageModel model = TestModels.tiny(3)) {
            rows = DocumentsBench.run(model, new DocumentsBench.Settings(6, 2, List.of(1e-2f, 1e-4f), List.of("uniform", "salient-spans"), false, 1, TrainingSettings.OFF, MwiScope.ALL, 0), out,
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
        }
        assertEquals(List.of("base model", "uniform 0.01", "uniform 1.0E-4", "salient-spans 0.01", "salient-spans 1.0E-4"),
                rows.stream().map(DocumentsBench.Row::label).toList());
        for (DocumentsBench.Row r : rows.subList(1, 5)) {
            assertEquals(3, r.promoted(), r.label() + ": 6 documents at 2 per version, every version promoted without a gate");
            assertEquals(6, r.servedRecords());
            assertEquals(0, r.heldRecords());
            assertTrue(r.steps() > 0, r.label() + " took no step");
        }
        // The served version is what is measured: after training at a large rate the documents' answers score differently.
        assertNotEquals(rows.get(0).answerNll(), rows.get(1).answerNll(), 1e-6);
        String table = printed.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("answer NLL") && table.contains("served%") && table.contains("base model"), table);
        JsonArray json = JsonParser.parseString(Files.readString(out.resolve("documents.json"))).getAsJsonObject().getAsJsonArray("rows");
        assertEquals(5, json.size());
        JsonObject first = json.get(1).getAsJsonObject();
        assertEquals(rows.get(1).steps(), first.get("steps").getAsLong());
        assertEquals(6, first.get("served_records").getAsInt());
    }

    @Test
    void editsAreSpreadThroughTheStreamAndMeasuredOnTheServedVersion() throws Exception {
        World world = World.generate(1234, WorldSize.DEFAULT);
        List<WorldDocument> docs = world.documents().subList(0, 6);
        List<WorldEdit> edits = world.edits().subList(0, 2);
        Origin o = new Origin("t", 0, 0, 0, new Receipt() {
            @Override
            public void durable() {}

            @Override
            public void refused(Rejection rejection) {}
        });
        List<String> order = DocumentsBench.stream(docs, edits).stream().map(f -> f.apply(o).id()).toList();
        assertEquals(List.of(docs.get(0).id(), docs.get(1).id(), edits.get(0).id(), docs.get(2).id(), docs.get(3).id(), edits.get(1).id(),
                docs.get(4).id(), docs.get(5).id()), order, "edit j after document ⌈(j+1)·6/3⌉ − 1");

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<DocumentsBench.Row> rows;
        try (LanguageModel model = TestModels.tiny(3)) {
            rows = DocumentsBench.run(model, new DocumentsBench.Settings(4, 3, List.of(1e-3f), List.of("uniform"), false, 1,
                    new MwiSettings(0.9, 1, MwiSettings.ResetPolicy.NEVER), MwiScope.DOCUMENTS, 2), out, new PrintStream(printed, true, StandardCharsets.UTF_8));
        }
        DocumentsBench.Row r = rows.get(1);
        assertEquals(6, r.servedRecords(), "4 documents and 2 edits, all served without a gate");
        assertTrue(r.edits() != null && rows.get(0).edits() != null, "the base model and the arm both have edit scores");
        String table = printed.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("edit eff%") && table.contains("edits (locft-keys)") && table.contains("edits served as trained"), table);
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("documents.json"))).getAsJsonObject();
        assertEquals("documents", json.get("mwi_scope").getAsString());
        assertEquals(r.edits().efficacy(), json.getAsJsonArray("rows").get(1).getAsJsonObject().get("edit_efficacy").getAsDouble(), 1e-12);
    }

    @Test
    void aRateThatIsNotPositiveOrAWeightingThatTrainsNothingIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DocumentsBench.Settings(10, 2, List.of(1e-3f, 0f), List.of("uniform"), true, 1, TrainingSettings.OFF, MwiScope.ALL, 0));
        assertTrue(e.getMessage().contains("0.0"), e.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> new DocumentsBench.Settings(10, 2, List.of(1e-3f), List.of("uniform", "none"), true, 1, TrainingSettings.OFF, MwiScope.ALL, 0));
        assertTrue(w.getMessage().contains("'none'"), w.getMessage());
    }
}
