package dev.freshet.adaptation.world;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Builds the pretraining texts (articles, bios, lists, tables, QA) and the held-out prose of the old world.
 * Several formats of the same facts matter: a small model that only ever sees one sentence shape memorises the
 * shape rather than the fact, and then fails on questions.
 */
final class Corpus {
  /** Articles per entity; each fact gets a different template in each, so >= 4 distinct phrasings. */
  static final int ARTICLES = 4;
  private static final int LIST_CHUNK = 8;
  private static final int TABLE_CHUNK = 6;

  private Corpus() {}

  static List<String> pretrainingTexts(OldWorld w, List<QaPair> trainedQa, SplittableRandom rng) {
    List<String> texts = new ArrayList<>();
    for (String subject : w.subjects) {
      List<Fact> facts = w.bySubject.get(subject);
      List<List<Integer>> orders = new ArrayList<>();
      for (int f = 0; f < facts.size(); f++) {
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
        OldWorld.shuffle(order, rng);
        orders.add(order);
      }
      for (int a = 0; a < ARTICLES; a++) {
        List<String> sentences = new ArrayList<>();
        for (int f = 0; f < facts.size(); f++) {
          Fact fact = facts.get(f);
          String t = Templates.PROSE.get(fact.relation()).get(orders.get(f).get(a));
          sentences.add(Templates.fill(t, fact.subject(), fact.object()));
        }
        OldWorld.shuffle(sentences, rng);
        texts.add(String.join(" ", sentences));
      }
    }
    bios(w, texts);
    lists(w, texts);
    tables(w, texts);
    for (QaPair qa : trainedQa) {
      texts.add(QaFormat.text(qa));
    }
    OldWorld.shuffle(texts, rng);
    return texts;
  }

  /** Two articles per entity over its stable facts only, in the held-out phrasings. */
  static List<String> heldOutTexts(OldWorld w, Set<Fact> stable, SplittableRandom rng) {
    List<String> texts = new ArrayList<>();
    for (String subject : w.subjects) {
      List<Fact> facts = new ArrayList<>();
      for (Fact f : w.bySubject.get(subject)) {
        if (stable.contains(f)) {
          facts.add(f);
        }
      }
      if (facts.isEmpty()) {
        continue;
      }
      int offset = rng.nextInt(2);
      for (int a = 0; a < 2; a++) {
        List<String> sentences = new ArrayList<>();
        for (Fact f : facts) {
          String t = Templates.HELD_OUT_PROSE.get(f.relation()).get((a + offset) % 2);
          sentences.add(Templates.fill(t, f.subject(), f.object()));
        }
        OldWorld.shuffle(sentences, rng);
        texts.add(String.join(" ", sentences));
      }
    }
    return texts;
  }

  private static void bios(OldWorld w, List<String> texts) {
    for (String p : w.people) {
      texts.add(p + " (born " + w.object(p, Relation.BIRTH_YEAR) + " in " + w.object(p, Relation.BORN_IN) + ") is "
          + Templates.withArticle(w.object(p, Relation.ROLE)) + " at " + w.object(p, Relation.WORKS_AT) + ".");
    }
    for (String o : w.orgs) {
      texts.add(o + ": " + Templates.withArticle(w.object(o, Relation.INDUSTRY)) + " company founded in "
          + w.object(o, Relation.FOUNDED_IN) + ", headquartered in " + w.object(o, Relation.HEADQUARTERED_IN)
          + " and led by " + w.object(o, Relation.LED_BY) + ".");
    }
    for (String p : w.products) {
      texts.add(p + ": " + Templates.withArticle(w.object(p, Relation.CATEGORY)) + " made by "
          + w.object(p, Relation.MADE_BY) + ", launched in " + w.object(p, Relation.LAUNCHED_IN) + ".");
    }
    for (String p : w.places) {
      texts.add(p + ": a town in " + w.object(p, Relation.LOCATED_IN) + ".");
    }
  }

  /** "Heading: A, B and C." lists grouping subjects by a shared object. */
  private static void lists(OldWorld w, List<String> texts) {
    list(texts, "Employees of ", group(w, Relation.WORKS_AT));
    list(texts, "Products made by ", group(w, Relation.MADE_BY));
    list(texts, "Towns in ", group(w, Relation.LOCATED_IN));
    list(texts, "Companies headquartered in ", group(w, Relation.HEADQUARTERED_IN));
    list(texts, "People born in ", group(w, Relation.BORN_IN));
  }

  private static Map<String, List<String>> group(OldWorld w, String relation) {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (Fact f : w.facts) {
      if (f.relation().equals(relation)) {
        groups.computeIfAbsent(f.object(), k -> new ArrayList<>()).add(f.subject());
      }
    }
    return groups;
  }

  private static void list(List<String> texts, String heading, Map<String, List<String>> groups) {
    for (Map.Entry<String, List<String>> g : groups.entrySet()) {
      List<String> members = g.getValue();
      for (int from = 0; from < members.size(); from += LIST_CHUNK) {
        List<String> chunk = members.subList(from, Math.min(members.size(), from + LIST_CHUNK));
        String joined = chunk.size() == 1 ? chunk.get(0)
            : String.join(", ", chunk.subList(0, chunk.size() - 1)) + " and " + chunk.get(chunk.size() - 1);
        texts.add(heading + g.getKey() + ": " + joined + ".");
      }
    }
  }

  private static void tables(OldWorld w, List<String> texts) {
    table(w, texts, "Staff register", w.people,
        List.of(Relation.BORN_IN, Relation.BIRTH_YEAR, Relation.ROLE, Relation.WORKS_AT),
        "name | born in | birth year | role | employer");
    table(w, texts, "Company register", w.orgs,
        List.of(Relation.FOUNDED_IN, Relation.HEADQUARTERED_IN, Relation.INDUSTRY, Relation.LED_BY),
        "name | founded | headquarters | industry | leader");
    table(w, texts, "Product catalogue", w.products,
        List.of(Relation.MADE_BY, Relation.LAUNCHED_IN, Relation.CATEGORY), "name | maker | launched | category");
  }

  private static void table(OldWorld w, List<String> texts, String title, List<String> rows,
      List<String> columns, String header) {
    for (int from = 0; from < rows.size(); from += TABLE_CHUNK) {
      StringBuilder b = new StringBuilder(title).append('\n').append(header);
      for (String row : rows.subList(from, Math.min(rows.size(), from + TABLE_CHUNK))) {
        b.append('\n').append(row);
        for (String r : columns) {
          b.append(" | ").append(w.object(row, r));
        }
      }
      texts.add(b.toString());
    }
  }
}
