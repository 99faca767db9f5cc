package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.training.TestModels;
import dev.freshet.server.training.TrainingSettings;
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
            rows = DocumentsBench.run(model, new DocumentsBench.Settings(6, 2, List.of(1e-2f, 1e-4f), List.of("uniform", "salient-spans"), false, 1, TrainingSettings.OFF), out,
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
    void aRateThatIsNotPositiveOrAWeightingThatTrainsNothingIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DocumentsBench.Settings(10, 2, List.of(1e-3f, 0f), List.of("uniform"), true, 1, TrainingSettings.OFF));
        assertTrue(e.getMessage().contains("0.0"), e.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
                () -> new DocumentsBench.Settings(10, 2, List.of(1e-3f), List.of("uniform", "none"), true, 1, TrainingSettings.OFF));
        assertTrue(w.getMessage().contains("'none'"), w.getMessage());
    }
}
