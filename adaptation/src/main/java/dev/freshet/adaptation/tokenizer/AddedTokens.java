package dev.freshet.adaptation.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code added_tokens} of a tokenizer (special tokens such as {@code <|endoftext|>} and any extra
 * tokens): each literal occurrence in the text becomes the token's single id and is never seen by the
 * pre-tokenizer or the BPE model, as in Hugging Face. Matching is leftmost, longest first. Tokens are matched
 * in the raw text, before normalization, which is what HF does for special tokens.
 */
final class AddedTokens {

  /** One entry of {@code added_tokens}, with HF's flags. */
  record Token(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized,
      boolean special) {}

  /** Receives the text in order: plain stretches with id -1, added-token matches with their id. */
  interface Sink {
    void segment(int start, int end, int addedId);
  }

  private static final Pattern WORD = Pattern.compile("\\w", Pattern.UNICODE_CHARACTER_CLASS);

  private final List<Token> tokens;
  /** Matchable tokens, longest first, so the first that matches at a position is the longest. */
  private final List<Token> byLength;
  private final boolean[] isFirstChar = new boolean[Character.MAX_VALUE + 1];

  AddedTokens(List<Token> tokens) {
    this.tokens = List.copyOf(tokens);
    List<Token> sorted = new ArrayList<>();
    for (Token t : tokens) {
      if (!t.content().isEmpty()) {
        sorted.add(t);
        isFirstChar[t.content().charAt(0)] = true;
      }
    }
    sorted.sort(Comparator.comparingInt((Token t) -> t.content().length()).reversed());
    this.byLength = List.copyOf(sorted);
  }

  List<Token> all() {
    return tokens;
  }

  /**
   * Splits {@code text} around the added tokens, as HF does: matches are found first (at each position the
   * longest token; a single_word token next to a word character is no match and its text stays plain), then
   * lstrip pulls in the whitespace before a match, back to the previous match, and rstrip the whitespace
   * after it, without limit, so a following match can overlap it.
   */
  void split(String text, Sink sink) {
    int emitted = 0;
    int i = 0;
    while (i < text.length()) {
      Token match = isFirstChar[text.charAt(i)] ? longestAt(text, i) : null;
      if (match == null) {
        i++;
        continue;
      }
      int start = i;
      int end = i + match.content().length();
      i = end;
      if (match.singleWord() && !standsAlone(text, start, end)) {
        continue;
      }
      while (match.lstrip() && start > emitted && isWhiteSpace(text.charAt(start - 1))) {
        start--;
      }
      while (match.rstrip() && end < text.length() && isWhiteSpace(text.charAt(end))) {
        end++;
      }
      if (start > emitted) {
        sink.segment(emitted, start, -1);
      }
      sink.segment(start, end, match.id());
      emitted = Math.max(emitted, end);
    }
    if (emitted < text.length()) {
      sink.segment(emitted, text.length(), -1);
    }
  }

  private Token longestAt(String text, int i) {
    for (Token t : byLength) {
      if (text.startsWith(t.content(), i)) {
        return t;
      }
    }
    return null;
  }

  /** HF's single_word: no word character (regex {@code \w}) directly before or after the match. */
  private static boolean standsAlone(String text, int start, int end) {
    return (start == 0 || !isWordChar(text.codePointBefore(start)))
        && (end == text.length() || !isWordChar(text.codePointAt(end)));
  }

  /** Unicode's White_Space property, which HF's strip uses; {@link Character#isWhitespace} differs from it. */
  private static boolean isWhiteSpace(char c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
        || c == 0x3000;
  }

  private static boolean isWordChar(int cp) {
    return WORD.matcher(new String(Character.toChars(cp))).matches();
  }
}
