package dev.freshet.adaptation.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldTest {
  /** A mid-sized world: large enough that every code path (all change kinds, all fallbacks) runs. */
  static final WorldSize SMALL = new WorldSize(40, 10, 8, 10, 200, 200);
  static final World WORLD = World.generate(7L, SMALL);

  /** Common English words a name must never equal or contain (independent of the generator's own list). */
  static final List<String> ENGLISH = List.of("the", "and", "man", "men", "run", "sun", "ten", "red", "dog",
      "bad", "lab", "data", "time", "line", "water", "paper", "river", "lemon", "melon", "robot", "model",
      "total", "metal", "salad", "tiger", "pilot", "solid", "tomato", "potato", "banana", "radio", "piano");

  @Test
  void sameSeedGivesIdenticalFiles(@TempDir Path tmp) throws IOException {
    WorldWriter.write(World.generate(11L, SMALL), tmp.resolve("a"));
    WorldWriter.write(World.generate(11L, SMALL), tmp.resolve("b"));
    List<Path> files;
    try (Stream<Path> s = Files.list(tmp.resolve("a"))) {
      files = s.sorted().toList();
    }
    assertEquals(9, files.size());
    for (Path a : files) {
      Path b = tmp.resolve("b").resolve(a.getFileName());
      assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), a.getFileName().toString());
    }
  }

  @Test
  void differentSeedGivesDifferentWorld() {
    World other = World.generate(8L, SMALL);
    assertNotEquals(WORLD.oldFacts(), other.oldFacts());
    assertNotEquals(WORLD.documents().get(0).text(), other.documents().get(0).text());
    assertNotEquals(WORLD.pretrainingTexts(), other.pretrainingTexts());
  }

  @Test
  void requestedCountsAreMetForTiny() {
    World tiny = World.generate(1L, WorldSize.TINY);
    assertEquals(20, tiny.documents().size());
    assertEquals(20, tiny.edits().size());
    assertEquals(200, WORLD.documents().size());
    assertFalse(WORLD.edits().isEmpty());
  }

  @Test
  void namesAreUniqueAndNotEnglish() {
    List<String> names = WORLD.names();
    assertEquals(names.size(), new HashSet<>(names).size(), "duplicate full name");
    Set<String> words = new HashSet<>();
    for (String name : names) {
      for (String word : name.split(" ")) {
        if (Relation.ORG_SUFFIXES.contains(word) || word.matches("[A-Z]?[0-9]+")) {
          continue; // fixed suffixes and model numbers are not invented words
        }
        assertTrue(words.add(word), "word reused: " + word);
        assertTrue(word.matches("[A-Z][a-z]+"), word);
        String lower = word.toLowerCase(Locale.ROOT);
        for (String english : ENGLISH) {
          assertFalse(lower.contains(english), name + " contains " + english);
        }
      }
    }
    assertTrue(words.size() > 200);
  }

  @Test
  void documentAnswersAreStatedInTheirText() {
    for (WorldDocument d : WORLD.documents()) {
      assertTrue(d.questions().size() >= 1 && d.questions().size() <= 3, d.id());
      for (QaPair q : d.questions()) {
        assertTrue(d.text().contains(q.answer()), d.id() + ": " + q);
      }
    }
    long prev = 0;
    for (int i = 0; i < WORLD.documents().size(); i++) {
      WorldDocument d = WORLD.documents().get(i);
      assertEquals(String.format("doc-%06d", i + 1), d.id());
      assertTrue(d.ts() > prev);
      prev = d.ts();
    }
  }

  @Test
  void documentsAreMostlyPadding() {
    double share = 0;
    for (int i = 0; i < WORLD.documents().size(); i++) {
      String text = WORLD.documents().get(i).text();
      int informative = 0;
      for (String s : WORLD.informativeSentences().get(i)) {
        assertTrue(text.contains(s), s);
        informative += tokens(s);
      }
      assertTrue(informative > 0);
      share += (double) informative / tokens(text);
    }
    share /= WORLD.documents().size();
    System.out.printf("informative token share of documents: %.3f%n", share);
    assertTrue(share < 0.5, "informative share " + share);
  }

  @Test
  void editsChangeAnswersAndNeighborsKeepOldOnes() {
    Map<String, String> oldAnswer = new HashMap<>();
    for (QaPair q : WORLD.pretrainingQa()) {
      oldAnswer.put(QaFormat.prompt(q.question()), q.answer());
    }
    Set<String> editedPrompts = new HashSet<>();
    for (int i = 0; i < WORLD.edits().size(); i++) {
      WorldEdit e = WORLD.edits().get(i);
      assertEquals(String.format("edit-%06d", i + 1), e.id());
      String old = oldAnswer.get(e.prompt());
      assertNotNull(old, "edit is not about a trained old fact: " + e.prompt());
      assertNotEquals(old, e.target());
      assertEquals(2, e.paraphrases().size());
      for (String p : e.paraphrases()) {
        assertNotEquals(e.prompt(), p);
        assertEquals(old, oldAnswer.get(p), "paraphrase asks something else: " + p);
      }
      assertEquals(2, e.neighbors().size());
      for (Neighbor n : e.neighbors()) {
        assertEquals(oldAnswer.get(n.prompt()), n.target(), n.prompt());
      }
      assertTrue(editedPrompts.add(e.prompt() + old), "fact edited twice");
    }
    // No neighbor is ever the subject of an edit, so its old answer stays right after all edits.
    for (WorldEdit e : WORLD.edits()) {
      for (Neighbor n : e.neighbors()) {
        for (WorldEdit other : WORLD.edits()) {
          assertFalse(other.prompt().equals(n.prompt()) || other.paraphrases().contains(n.prompt()));
        }
      }
    }
  }

  @Test
  void pretrainingQaAnswersAreOldFactsAndInTheTexts() {
    Map<String, String> expected = new HashMap<>();
    for (Fact f : WORLD.oldFacts()) {
      for (int t = 0; t < 3; t++) {
        expected.put(Templates.question(f.relation(), t, f.subject()), f.object());
      }
    }
    Set<String> texts = new HashSet<>(WORLD.pretrainingTexts());
    for (QaPair q : WORLD.pretrainingQa()) {
      assertEquals(expected.get(q.question()), q.answer(), q.question());
      assertTrue(texts.contains(QaFormat.text(q)));
    }
    for (QaPair q : WORLD.heldOutQa()) {
      assertEquals(expected.get(q.question()), q.answer(), q.question());
    }
  }

  @Test
  void heldOutQaNeverInPretraining() {
    int facts = WORLD.oldFacts().size();
    double share = WORLD.heldOutQa().size() / 3.0 / facts;
    assertTrue(share > 0.1 && share < 0.2, "held-out share " + share);
    for (QaPair q : WORLD.heldOutQa()) {
      for (String t : WORLD.pretrainingTexts()) {
        assertFalse(t.contains(q.question()), q.question());
      }
    }
  }

  @Test
  void heldOutTextsUseUnseenPhrasings() {
    assertFalse(WORLD.heldOutTexts().isEmpty());
    for (String t : WORLD.heldOutTexts()) {
      for (String sentence : sentences(t)) {
        for (String p : WORLD.pretrainingTexts()) {
          assertFalse(p.contains(sentence), sentence);
        }
      }
    }
  }

  @Test
  void everyOldFactHasThreeProsePhrasings() {
    Set<String> sentences = new HashSet<>();
    for (String t : WORLD.pretrainingTexts()) {
      sentences.addAll(sentences(t));
      assertTrue(t.length() < 600, t);
    }
    for (Fact f : WORLD.oldFacts()) {
      int found = 0;
      for (String template : Templates.PROSE.get(f.relation())) {
        if (sentences.contains(Templates.fill(template, f.subject(), f.object()))) {
          found++;
        }
      }
      assertTrue(found >= 3, f + " in " + found + " phrasings");
    }
  }

  @Test
  void readerRoundTrip(@TempDir Path dir) throws IOException {
    WorldWriter.write(WORLD, dir);
    assertEquals(WORLD.documents(), WorldReader.readDocuments(dir));
    assertEquals(WORLD.edits(), WorldReader.readEdits(dir));
    assertEquals(WORLD.pretrainingTexts(), WorldReader.readTexts(dir.resolve("pretrain.jsonl")));
    assertEquals(WORLD.pretrainingQa(), WorldReader.readQa(dir.resolve("pretrain_qa.jsonl")));
    assertEquals(WORLD.heldOutTexts(), WorldReader.readTexts(dir.resolve("heldout_text.jsonl")));
    assertEquals(WORLD.heldOutQa(), WorldReader.readQa(dir.resolve("heldout_qa.jsonl")));
  }

  @Test
  void qaFormat() {
    assertEquals("Q: Who runs X?\nA:", QaFormat.prompt("Who runs X?"));
    assertEquals(" Y\n", QaFormat.target("Y"));
  }

  @Test
  void defaultWorldSizes() {
    long t0 = System.nanoTime();
    World w = World.generate(42L, WorldSize.DEFAULT);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long chars = w.pretrainingTexts().stream().mapToLong(String::length).sum();
    System.out.printf("DEFAULT: %d ms; %d old facts; %d pretraining texts (%d chars); %d pretraining QA; "
            + "%d held-out QA; %d stable QA; %d held-out texts; %d documents; %d edits%n", ms,
        w.oldFacts().size(), w.pretrainingTexts().size(), chars, w.pretrainingQa().size(), w.heldOutQa().size(),
        w.stableQa().size(), w.heldOutTexts().size(), w.documents().size(), w.edits().size());
    assertEquals(1200, w.documents().size());
  }

  private static int tokens(String s) {
    return s.trim().split("\\s+").length;
  }

  private static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    for (String s : text.split("(?<=\\.)\\s+")) {
      out.add(s.trim());
    }
    return out;
  }
}
