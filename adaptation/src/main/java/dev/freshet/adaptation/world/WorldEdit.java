package dev.freshet.adaptation.world;

import java.util.List;

/**
 * A fact correction in the shape of the {@code freshet.edits} topic value: {@code prompt} is a
 * {@link QaFormat#prompt}, {@code target} the new answer (no leading space), {@code paraphrases} the same
 * question phrased differently, {@code neighbors} other old facts that the edit must leave alone.
 */
public record WorldEdit(String id, String prompt, String target, List<String> paraphrases, List<Neighbor> neighbors) {
  public WorldEdit {
    paraphrases = List.copyOf(paraphrases);
    neighbors = List.copyOf(neighbors);
  }
}
