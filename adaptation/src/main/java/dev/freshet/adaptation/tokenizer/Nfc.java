package dev.freshet.adaptation.tokenizer;

import java.text.Normalizer;

/**
 * NFC normalization that remembers where each output char came from, so that token offsets can point into
 * the caller's text rather than into the normalized copy. {@link Normalizer} reports no alignment, so the text
 * is normalized in chunks (a base character with the marks that follow it) and every char of a chunk that
 * changed is mapped to the whole chunk.
 */
final class Nfc {

  /**
   * Normalized text; its char i came from source chars [from(i), to(i)). Null arrays mean the text is the
   * source itself.
   */
  record Aligned(String text, int sourceLength, int[] srcStart, int[] srcEnd) {
    /** Source start of normalized char i; for i == text.length(), the source length. */
    int from(int i) {
      return i == text.length() ? sourceLength : srcStart == null ? i : srcStart[i];
    }

    /** Source end of normalized char i. */
    int to(int i) {
      return srcEnd == null ? i + 1 : srcEnd[i];
    }
  }

  private Nfc() {}

  static Aligned normalize(String s) {
    if (Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
      return identity(s);
    }
    StringBuilder out = new StringBuilder(s.length());
    IntList starts = new IntList(s.length());
    IntList ends = new IntList(s.length());
    int chunkStart = 0;
    for (int i = 0; i <= s.length(); ) {
      int cp = i < s.length() ? s.codePointAt(i) : -1;
      if (i == s.length() || (i > chunkStart && startsChunk(cp))) {
        String chunk = s.substring(chunkStart, i);
        String normalized = Normalizer.normalize(chunk, Normalizer.Form.NFC);
        boolean same = normalized.equals(chunk);
        for (int k = 0; k < normalized.length(); k++) {
          starts.add(same ? chunkStart + k : chunkStart);
          ends.add(same ? chunkStart + k + 1 : i);
        }
        out.append(normalized);
        chunkStart = i;
      }
      i += i < s.length() ? Character.charCount(cp) : 1;
    }
    String text = out.toString();
    String exact = Normalizer.normalize(s, Normalizer.Form.NFC);
    if (!text.equals(exact)) {
      // The chunking guessed a boundary wrong: keep the exact text and give up on fine offsets.
      int[] zero = new int[exact.length()];
      int[] all = new int[exact.length()];
      java.util.Arrays.fill(all, s.length());
      return new Aligned(exact, s.length(), zero, all);
    }
    return new Aligned(text, s.length(), starts.toArray(), ends.toArray());
  }

  /** The text unchanged, for tokenizers without a normalizer. */
  static Aligned identity(String s) {
    return new Aligned(s, s.length(), null, null);
  }

  /** Whether NFC can never join this code point to what precedes it: not a mark, not a Hangul vowel/final. */
  private static boolean startsChunk(int cp) {
    int type = Character.getType(cp);
    boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
    boolean jamo = (cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF);
    return !mark && !jamo;
  }
}
