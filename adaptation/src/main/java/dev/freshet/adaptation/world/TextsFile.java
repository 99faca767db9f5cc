package dev.freshet.adaptation.world;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's own texts for the server, JSONL: each line {@code {"text": ...}} or {@code {"question": ..., "answer": ...}}
 * (the shapes {@code bin/freshet world --out} writes); blank lines are skipped. It is read once at start, so a
 * mistake is reported there, by file and line, rather than as a silent gap in what the server protects.
 *
 * @param texts the {@code "text"} lines, in file order
 * @param questions the question–answer lines, in file order
 */
public record TextsFile(List<String> texts, List<QaPair> questions) {

    public TextsFile {
        texts = List.copyOf(texts);
        questions = List.copyOf(questions);
    }

    /** Every line as text to train or score on: the question–answer lines in the QA format. */
    public List<String> allAsTexts() {
        List<String> all = new ArrayList<>(texts);
        questions.forEach(q -> all.add(QaFormat.text(q)));
        return all;
    }

    /**
     * Reads {@code file}.
     *
     * @param option the setting that named the file ({@code edit-preserve}, {@code gate-probes}), for the messages
     * @throws IllegalArgumentException naming the file and line of the first problem, or an unreadable or empty file
     */
    public static TextsFile read(Path file, String option) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + file + ": cannot read it (" + e.getMessage() + ")", e);
        }
        List<String> texts = new ArrayList<>();
        List<QaPair> questions = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = option + " " + file + " line " + (i + 1);
            JsonObject o;
            try {
                o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + ": not a JSON object (" + e.getMessage() + ")", e);
            }
            if (o.has("text") && o.get("text").isJsonPrimitive()) {
                texts.add(o.get("text").getAsString());
            } else if (o.has("question") && o.has("answer") && o.get("question").isJsonPrimitive() && o.get("answer").isJsonPrimitive()) {
                questions.add(new QaPair(o.get("question").getAsString(), o.get("answer").getAsString()));
            } else {
                throw new IllegalArgumentException(where + ": expected {\"text\": ...} or {\"question\": ..., \"answer\": ...}, got keys " + o.keySet());
            }
        }
        if (texts.isEmpty() && questions.isEmpty()) {
            throw new IllegalArgumentException(option + " " + file + " holds no texts");
        }
        return new TextsFile(texts, questions);
    }
}
