package dev.freshet.adaptation.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic texts for the tests: an English-like corpus to train on and arbitrary Unicode strings. */
final class TestTexts {

  private static final String[] COMMON = {
    "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
    "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you",
    "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will",
    "would", "who", "so", "no", "river", "water", "stream", "model", "token", "training", "adapter", "data"
  };
  private static final String[] SYLLABLES = {
    "ka", "lo", "mi", "ran", "ter", "sen", "po", "li", "tion", "ing", "er", "an", "re", "con", "de", "ex",
    "pre", "ment", "al", "ous", "ly", "ic", "ive", "at", "or", "um", "is", "ver", "gen", "par"
  };

  private static BpeTokenizer trained;

  private TestTexts() {}

  /** About {@code paragraphs * 600} chars of English-like prose: common words plus Zipf-distributed made-up ones. */
  static List<String> corpus(int paragraphs, long seed) {
    Random random = new Random(seed);
    List<String> lexicon = new ArrayList<>(List.of(COMMON));
    while (lexicon.size() < 1500) {
      StringBuilder word = new StringBuilder();
      for (int n = 1 + random.nextInt(3); n > 0; n--) {
        word.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
      }
      lexicon.add(word.toString());
    }
    List<String> texts = new ArrayList<>();
    for (int p = 0; p < paragraphs; p++) {
      StringBuilder text = new StringBuilder();
      for (int s = 0; s < 6; s++) {
        int words = 5 + random.nextInt(15);
        for (int w = 0; w < words; w++) {
          // Cubing a uniform number skews picks to the front of the lexicon, like word frequencies.
          double u = random.nextDouble();
          String word = lexicon.get((int) (u * u * u * lexicon.size()));
          if (w == 0) {
            word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
          }
          text.append(w == 0 ? "" : " ").append(word);
          if (random.nextInt(25) == 0) {
            text.append(' ').append(random.nextInt(2000));
          }
        }
        text.append(random.nextInt(8) == 0 ? "? " : ". ");
      }
      text.append("\n\n");
      texts.add(text.toString());
    }
    return texts;
  }

  /** A tokenizer trained once on {@link #corpus} with vocabulary 1000 and two special tokens. */
  static synchronized BpeTokenizer trained() {
    if (trained == null) {
      trained = BpeTrainer.train(corpus(400, 7), 1000, List.of("<|endoftext|>", "<|pad|>"));
    }
    return trained;
  }

  /** A random string mixing ASCII, Latin-1, CJK, emoji, combining marks, controls and whitespace runs. */
  static String unicode(Random random, int codePoints) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < codePoints; i++) {
      int kind = random.nextInt(12);
      switch (kind) {
        case 0, 1, 2 -> s.append((char) (0x20 + random.nextInt(0x5F)));
        case 3 -> s.append(" \t\n\r\u000B\f\u00A0\u2028\u3000".charAt(random.nextInt(9)));
        case 4 -> s.append(" ".repeat(1 + random.nextInt(6)));
        case 5 -> s.append((char) (0xA0 + random.nextInt(0x60)));
        case 6 -> s.append((char) (0x4E00 + random.nextInt(0x5200)));
        case 7 -> s.appendCodePoint(0x1F300 + random.nextInt(0x800));
        case 8 -> s.append((char) (0x300 + random.nextInt(0x70)));
        case 9 -> s.append((char) random.nextInt(0x20)).append((char) (0x7F + random.nextInt(0x21)));
        case 10 -> s.append(List.of("'s", "'LL", "don't", "1234567", "<|endoftext|>", "the ").get(random.nextInt(6)));
        default -> s.appendCodePoint(randomCodePoint(random));
      }
    }
    return s.toString();
  }

  /** Any code point except a surrogate, which cannot stand alone in valid text. */
  private static int randomCodePoint(Random random) {
    while (true) {
      int cp = random.nextBoolean() ? random.nextInt(0x10000) : random.nextInt(Character.MAX_CODE_POINT + 1);
      if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
        return cp;
      }
    }
  }
}
