package dev.freshet.adaptation.tokenizer;

/**
 * Token ids of a text together with where each token sits in that text: token {@code i} covers UTF-16 chars
 * {@code [charStart[i], charEnd[i])}. Used to map model outputs (spans, highlights) back onto the input.
 */
public record Encoding(int[] ids, int[] charStart, int[] charEnd) {

  /** The number of tokens. */
  public int size() {
    return ids.length;
  }
}
