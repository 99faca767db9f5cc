package dev.freshet.adaptation.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextsFileTest {

    @TempDir
    Path dir;

    /** Both shapes are read in file order, blank lines skipped; a question line becomes the QA format as text. */
    @Test
    void readsTextsAndQuestions() throws Exception {
        Path file = dir.resolve("keep.jsonl");
        Files.writeString(file, "{\"text\": \"Kreslux Systems was established in 2016.\"}\n\n"
                + "{\"question\": \"Where was Tovrak Melun born?\", \"answer\": \"Karvel\"}\n{\"text\": \"Second.\"}\n");
        TextsFile t = TextsFile.read(file, "gate-probes");
        assertEquals(List.of("Kreslux Systems was established in 2016.", "Second."), t.texts());
        QaPair q = new QaPair("Where was Tovrak Melun born?", "Karvel");
        assertEquals(List.of(q), t.questions());
        assertEquals(List.of("Kreslux Systems was established in 2016.", "Second.", QaFormat.text(q)), t.allAsTexts());
    }

    /** Every problem names the option, the file and, for a bad line, its number. */
    @Test
    void aBadFileIsNamedWithTheLine() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"fine\"}\nnot json\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextsFile.read(bad, "edit-preserve"));
        assertTrue(e.getMessage().startsWith("edit-preserve ") && e.getMessage().contains("bad.jsonl line 2"), e.getMessage());
        Files.writeString(bad, "{\"prompt\": \"Q: x?\\nA:\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> TextsFile.read(bad, "edit-preserve"));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("prompt"), e.getMessage());
        Files.writeString(bad, "{\"question\": \"Who?\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> TextsFile.read(bad, "gate-probes"));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("question"), e.getMessage());
        Files.writeString(bad, "\n");
        e = assertThrows(IllegalArgumentException.class, () -> TextsFile.read(bad, "gate-probes"));
        assertTrue(e.getMessage().contains("holds no texts"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TextsFile.read(dir.resolve("missing.jsonl"), "gate-probes"));
        assertTrue(e.getMessage().contains("missing.jsonl") && e.getMessage().contains("cannot read"), e.getMessage());
    }
}
