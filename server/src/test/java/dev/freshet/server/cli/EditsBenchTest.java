package dev.freshet.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.training.LocalizedEditLearner;
import dev.freshet.server.training.MwiScope;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.server.training.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench edits} end to end on a tiny model: every edit reaches a version, each learner gets its row, the JSON matches. */
class EditsBenchTest {

    @TempDir
    Path out;

    @Test
    void eachLearnerTrainsEveryEditIntoVersionsAndTheReportSaysSo() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<EditsBench.Row> rows;
        try (LanguageModel model = TestModels.tiny(3)) {
            rows = EditsBench.run(model, new EditsBench.Settings(4, 2, List.of("locft-bf", "locft-keys", "ft-bf"), false,
                    LocalizedEditLearner.SETTINGS, LocalizedEditLearner.KEYS_SETTINGS, null, TrainingSettings.OFF, MwiScope.ALL), out,
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
        }
        assertEquals(List.of("locft-bf", "locft-keys", "ft-bf"), rows.stream().map(EditsBench.Row::method).toList());
        for (EditsBench.Row r : rows) {
            assertEquals(2, r.promoted(), r.method() + ": 4 edits at 2 per version, every version promoted without a gate");
            assertEquals(0, r.rejected());
            assertTrue(r.steps() > 0, r.method() + " took no step");
        }
        String table = printed.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("locft-bf") && table.contains("locft-keys") && table.contains("efficacy%"), table);
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("edits.json"))).getAsJsonObject();
        assertEquals(3, json.getAsJsonArray("rows").size());
        assertEquals(rows.get(0).steps(), json.getAsJsonArray("rows").get(0).getAsJsonObject().get("steps").getAsLong());
    }
}
