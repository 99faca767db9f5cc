package dev.freshet.adaptation.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Aggregation into cells, the printed table and the JSON. */
class EvalTableTest {

    private static EvalTable table() {
        EvalTable t = new EvalTable("test", List.of(EvalTable.Column.percent("em", "EM %"), EvalTable.Column.number("ppl", "ppl", 2)));
        for (double v : new double[] {0.1, 0.2, 0.3}) {
            t.add("uniform", "em", v);
        }
        t.add("uniform", "ppl", 1.5);
        t.add("uniform", "ppl", 1.7);
        t.add("none", "em", Double.NaN);
        t.note("a note");
        return t;
    }

    @Test
    void cellsAggregatePerSeedValues() {
        EvalTable t = table();
        assertEquals(List.of("uniform", "none"), t.rowLabels());
        assertEquals(0.2, t.stats("uniform", "em").mean(), 1e-12);
        assertEquals(0.1, t.stats("uniform", "em").spread(), 1e-12);
        String text = t.render();
        assertTrue(text.contains("20.0 ± 10.0"), text);
        assertTrue(text.contains("1.60 ± 0.14"), text);
        assertTrue(text.contains("n/a"), "an undefined cell prints as n/a: " + text);
        assertTrue(text.contains("* a note"), text);
        assertThrows(IllegalArgumentException.class, () -> t.add("uniform", "nope", 1));
    }

    @Test
    void lastRowShowsTheLatestSeedOfEachColumn() {
        EvalTable t = table();
        assertEquals("EM % 30.0  ppl 1.70", t.lastRow("uniform"));
        assertEquals("", t.lastRow("absent"));
    }

    @Test
    void jsonKeepsPerSeedValuesAndWritesNanAsNull(@TempDir Path dir) throws Exception {
        EvalTable t = table();
        t.setting("seeds", 3);
        assertEquals("3", t.settings().get("seeds"));
        Path file = dir.resolve("sub/eval.json");
        t.write(file);
        JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        assertEquals("test", o.get("eval").getAsString());
        assertEquals("3", o.getAsJsonObject("settings").get("seeds").getAsString());
        JsonObject em = o.getAsJsonArray("rows").get(0).getAsJsonObject().getAsJsonObject("metrics").getAsJsonObject("em");
        assertEquals(0.2, em.get("mean").getAsDouble(), 1e-12);
        assertEquals(3, em.getAsJsonArray("values").size());
        JsonObject none = o.getAsJsonArray("rows").get(1).getAsJsonObject().getAsJsonObject("metrics").getAsJsonObject("em");
        assertTrue(none.get("mean").isJsonNull());
        assertTrue(none.getAsJsonArray("values").get(0).isJsonNull());
    }
}
