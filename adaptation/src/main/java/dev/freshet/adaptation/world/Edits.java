package dev.freshet.adaptation.world;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds fact corrections. Neighbors come only from facts that nothing ever changes, so their old answers stay
 * right after every document and every edit has been applied.
 */
final class Edits {
  private Edits() {}

  static List<WorldEdit> generate(OldWorld w, List<Fact> edited, List<Fact> neighborPool, SplittableRandom rng) {
    Map<String, List<Fact>> poolBySubject = new LinkedHashMap<>();
    Map<String, List<Fact>> poolByRelation = new LinkedHashMap<>();
    for (Fact f : neighborPool) {
      poolBySubject.computeIfAbsent(f.subject(), k -> new ArrayList<>()).add(f);
      poolByRelation.computeIfAbsent(f.relation(), k -> new ArrayList<>()).add(f);
    }
    List<WorldEdit> edits = new ArrayList<>();
    for (Fact f : edited) {
      String target = w.alternative(f, rng);
      int t = rng.nextInt(3);
      List<String> paraphrases = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        if (p != t) {
          paraphrases.add(QaFormat.prompt(Templates.question(f.relation(), p, f.subject())));
        }
      }
      // One neighbor about the same subject (closest to the edit, most at risk), one with the same relation.
      Fact first = pickNeighbor(poolBySubject.getOrDefault(f.subject(), List.of()), f, null, rng);
      if (first == null) {
        first = pickNeighbor(neighborPool, f, null, rng);
      }
      Fact second = pickNeighbor(poolByRelation.getOrDefault(f.relation(), List.of()), f, first, rng);
      if (second == null) {
        second = pickNeighbor(neighborPool, f, first, rng);
      }
      List<Neighbor> neighbors = new ArrayList<>();
      for (Fact n : new Fact[] {first, second}) {
        if (n != null) {
          neighbors.add(new Neighbor(
              QaFormat.prompt(Templates.question(n.relation(), rng.nextInt(3), n.subject())), n.object()));
        }
      }
      edits.add(new WorldEdit(String.format(Locale.ROOT, "edit-%06d", edits.size() + 1),
          QaFormat.prompt(Templates.question(f.relation(), t, f.subject())), target, paraphrases, neighbors));
    }
    return List.copyOf(edits);
  }

  /** A random candidate other than the edited fact and {@code taken}; null when there is none. */
  private static Fact pickNeighbor(List<Fact> candidates, Fact edited, Fact taken, SplittableRandom rng) {
    List<Fact> ok = new ArrayList<>();
    for (Fact c : candidates) {
      if (!c.equals(edited) && !c.equals(taken)) {
        ok.add(c);
      }
    }
    return ok.isEmpty() ? null : OldWorld.pick(ok, rng);
  }
}
