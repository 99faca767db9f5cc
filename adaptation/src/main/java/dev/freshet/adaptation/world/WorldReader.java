package dev.freshet.adaptation.world;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSONL files of {@link WorldWriter} back, so evaluations run the same way on a generated world and on
 * any real dataset converted to these shapes. Blank lines are skipped; a missing question file means no questions.
 */
public final class WorldReader {
  private WorldReader() {}

  /** {@code documents.jsonl} joined with {@code document_questions.jsonl} by {@code doc_id}, in file order. */
  public static List<WorldDocument> readDocuments(Path dir) throws IOException {
    Map<String, List<QaPair>> questions = new HashMap<>(); // looked up by id only, never iterated
    Path qFile = dir.resolve("document_questions.jsonl");
    if (Files.exists(qFile)) {
      for (JsonObject o : objects(qFile)) {
        questions.computeIfAbsent(o.get("doc_id").getAsString(), k -> new ArrayList<>())
            .add(new QaPair(o.get("question").getAsString(), o.get("answer").getAsString()));
      }
    }
    List<WorldDocument> docs = new ArrayList<>();
    for (JsonObject o : objects(dir.resolve("documents.jsonl"))) {
      String id = o.get("id").getAsString();
      docs.add(new WorldDocument(id, o.get("text").getAsString(), o.get("source").getAsString(),
          o.get("ts").getAsLong(), questions.getOrDefault(id, List.of())));
    }
    return docs;
  }

  public static List<WorldEdit> readEdits(Path dir) throws IOException {
    List<WorldEdit> edits = new ArrayList<>();
    for (JsonObject o : objects(dir.resolve("edits.jsonl"))) {
      List<String> paraphrases = new ArrayList<>();
      if (o.has("paraphrases")) {
        for (JsonElement p : o.getAsJsonArray("paraphrases")) {
          paraphrases.add(p.getAsString());
        }
      }
      List<Neighbor> neighbors = new ArrayList<>();
      if (o.has("neighbors")) {
        for (JsonElement n : o.getAsJsonArray("neighbors")) {
          JsonObject j = n.getAsJsonObject();
          neighbors.add(new Neighbor(j.get("prompt").getAsString(), j.get("target").getAsString()));
        }
      }
      edits.add(new WorldEdit(o.get("id").getAsString(), o.get("prompt").getAsString(),
          o.get("target").getAsString(), paraphrases, neighbors));
    }
    return edits;
  }

  /** A file of {@code {"question","answer"}} lines. */
  public static List<QaPair> readQa(Path file) throws IOException {
    List<QaPair> out = new ArrayList<>();
    for (JsonObject o : objects(file)) {
      out.add(new QaPair(o.get("question").getAsString(), o.get("answer").getAsString()));
    }
    return out;
  }

  /** A file of {@code {"text"}} lines. */
  public static List<String> readTexts(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonObject o : objects(file)) {
      out.add(o.get("text").getAsString());
    }
    return out;
  }

  private static List<JsonObject> objects(Path file) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JsonParser.parseString(line).getAsJsonObject());
      }
    }
    return out;
  }
}
