package dev.freshet.adaptation.world;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link World} as JSONL files, one JSON object per line (UTF-8, '\n'), in the shapes the Kafka
 * topics carry: {@code documents.jsonl} is exactly the {@code freshet.documents} value and {@code edits.jsonl}
 * exactly the {@code freshet.edits} value. {@link WorldReader} reads them back.
 */
public final class WorldWriter {
  /** HTML escaping off: it would turn an apostrophe into {@code \u0027} and break byte-level comparisons. */
  static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private WorldWriter() {}

  /** Writes the world as JSONL in the exact shapes the Kafka topics carry. */
  public static void write(World world, Path outDir) throws IOException {
    Files.createDirectories(outDir);
    List<JsonObject> docs = new ArrayList<>();
    List<JsonObject> questions = new ArrayList<>();
    for (WorldDocument d : world.documents()) {
      JsonObject o = new JsonObject();
      o.addProperty("id", d.id());
      o.addProperty("text", d.text());
      o.addProperty("source", d.source());
      o.addProperty("ts", d.ts());
      docs.add(o);
      for (QaPair q : d.questions()) {
        JsonObject j = new JsonObject();
        j.addProperty("doc_id", d.id());
        j.addProperty("question", q.question());
        j.addProperty("answer", q.answer());
        questions.add(j);
      }
    }
    List<JsonObject> edits = new ArrayList<>();
    for (WorldEdit e : world.edits()) {
      JsonObject o = new JsonObject();
      o.addProperty("id", e.id());
      o.addProperty("prompt", e.prompt());
      o.addProperty("target", e.target());
      JsonArray paraphrases = new JsonArray();
      e.paraphrases().forEach(paraphrases::add);
      o.add("paraphrases", paraphrases);
      JsonArray neighbors = new JsonArray();
      for (Neighbor n : e.neighbors()) {
        JsonObject j = new JsonObject();
        j.addProperty("prompt", n.prompt());
        j.addProperty("target", n.target());
        neighbors.add(j);
      }
      o.add("neighbors", neighbors);
      edits.add(o);
    }

    JsonObject counts = new JsonObject();
    counts.addProperty("documents", lines(outDir.resolve("documents.jsonl"), docs));
    counts.addProperty("document_questions", lines(outDir.resolve("document_questions.jsonl"), questions));
    counts.addProperty("edits", lines(outDir.resolve("edits.jsonl"), edits));
    counts.addProperty("pretrain", lines(outDir.resolve("pretrain.jsonl"), texts(world.pretrainingTexts())));
    counts.addProperty("pretrain_qa", lines(outDir.resolve("pretrain_qa.jsonl"), qa(world.pretrainingQa())));
    counts.addProperty("heldout_text", lines(outDir.resolve("heldout_text.jsonl"), texts(world.heldOutTexts())));
    counts.addProperty("heldout_qa", lines(outDir.resolve("heldout_qa.jsonl"), qa(world.heldOutQa())));
    counts.addProperty("stable_qa", lines(outDir.resolve("stable_qa.jsonl"), qa(world.stableQa())));

    JsonObject meta = new JsonObject();
    meta.addProperty("seed", world.seed());
    WorldSize s = world.size();
    JsonObject size = new JsonObject();
    size.addProperty("old_people", s.oldPeople());
    size.addProperty("old_orgs", s.oldOrgs());
    size.addProperty("old_places", s.oldPlaces());
    size.addProperty("old_products", s.oldProducts());
    size.addProperty("documents", s.documents());
    size.addProperty("edits", s.edits());
    meta.add("size", size);
    JsonArray facts = new JsonArray();
    for (Fact f : world.oldFacts()) {
      JsonArray t = new JsonArray();
      t.add(f.subject());
      t.add(f.relation());
      t.add(f.object());
      facts.add(t);
    }
    meta.add("old_facts", facts);
    meta.add("counts", counts);
    Files.writeString(outDir.resolve("world.json"), GSON.toJson(meta) + "\n", StandardCharsets.UTF_8);
  }

  private static List<JsonObject> texts(List<String> texts) {
    List<JsonObject> out = new ArrayList<>();
    for (String t : texts) {
      JsonObject o = new JsonObject();
      o.addProperty("text", t);
      out.add(o);
    }
    return out;
  }

  private static List<JsonObject> qa(List<QaPair> pairs) {
    List<JsonObject> out = new ArrayList<>();
    for (QaPair q : pairs) {
      JsonObject o = new JsonObject();
      o.addProperty("question", q.question());
      o.addProperty("answer", q.answer());
      out.add(o);
    }
    return out;
  }

  private static int lines(Path file, List<JsonObject> rows) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (JsonObject row : rows) {
        out.write(GSON.toJson(row));
        out.write('\n');
      }
    }
    return rows.size();
  }
}
