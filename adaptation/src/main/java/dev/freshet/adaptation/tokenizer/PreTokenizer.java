package dev.freshet.adaptation.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts text into pre-tokens the way Hugging Face's byte-level pre-tokenizers do: zero or more splitting steps
 * (Split with behavior Isolated, or Digits), then ByteLevel, which may prepend a space and split again with
 * the GPT-2 pattern. BPE merges never cross a pre-token boundary, so this step decides which ids are possible.
 * Every step keeps both the matches and the text between them, so no character is ever lost.
 */
final class PreTokenizer {

  /** Receives one pre-token: chars [start,end) of the text, preceded by an added space when prefixSpace. */
  interface Sink {
    void piece(int start, int end, boolean prefixSpace);
  }

  /** One isolating split; {@code json} is how it is written back to tokenizer.json. */
  record Step(Pattern pattern, JsonObject json) {}

  private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS;
  private static final Pattern GPT2 = Pattern.compile(ByteLevel.GPT2_PATTERN, FLAGS);

  private final List<Step> steps;
  private final boolean byteLevel;
  private final boolean addPrefixSpace;
  private final boolean trimOffsets;
  private final boolean useRegex;

  private PreTokenizer(List<Step> steps, boolean byteLevel, boolean addPrefixSpace, boolean trimOffsets,
      boolean useRegex) {
    this.steps = List.copyOf(steps);
    this.byteLevel = byteLevel;
    this.addPrefixSpace = addPrefixSpace;
    this.trimOffsets = trimOffsets;
    this.useRegex = useRegex;
  }

  /** GPT-2's setup, also what {@link BpeTrainer} uses: ByteLevel alone, no prefix space, GPT-2 pattern. */
  static PreTokenizer gpt2() {
    return new PreTokenizer(List.of(), true, false, true, true);
  }

  /** A null pre_tokenizer: each stretch of text between added tokens is one pre-token. */
  static PreTokenizer none() {
    return new PreTokenizer(List.of(), false, false, false, false);
  }

  static PreTokenizer byteLevel(List<Step> steps, boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) {
    return new PreTokenizer(steps, true, addPrefixSpace, trimOffsets, useRegex);
  }

  static Step split(String regex, JsonObject json) {
    return new Step(Pattern.compile(regex, FLAGS), json);
  }

  /** Feeds the pre-tokens of text[from,to) to the sink, left to right. */
  void split(String text, int from, int to, Sink sink) {
    if (from < to) {
      split(0, text, from, to, sink);
    }
  }

  private void split(int step, String text, int from, int to, Sink sink) {
    if (step < steps.size()) {
      isolate(steps.get(step).pattern(), text, from, to, (a, b) -> split(step + 1, text, a, b, sink));
    } else if (!byteLevel) {
      sink.piece(from, to, false);
    } else if (addPrefixSpace && text.charAt(from) != ' ') {
      // The space is part of what the pattern sees (" ?\p{L}+" takes it), so split a prefixed copy.
      String prefixed = " " + text.substring(from, to);
      Splitter shifted = (a, b) -> sink.piece(from + Math.max(a - 1, 0), from + b - 1, a == 0);
      if (useRegex) {
        isolate(GPT2, prefixed, 0, prefixed.length(), shifted);
      } else {
        shifted.part(0, prefixed.length());
      }
    } else if (useRegex) {
      isolate(GPT2, text, from, to, (a, b) -> sink.piece(a, b, false));
    } else {
      sink.piece(from, to, false);
    }
  }

  private interface Splitter {
    void part(int start, int end);
  }

  /**
   * HF's "Isolated" behaviour: matches and the gaps between them both become parts. The region has opaque,
   * anchoring bounds, so look-arounds see the part's ends as the ends of the text, as in HF, where each part
   * is a string of its own.
   */
  private static void isolate(Pattern pattern, String text, int from, int to, Splitter out) {
    Matcher m = pattern.matcher(text).region(from, to);
    int last = from;
    while (m.find()) {
      if (m.start() == m.end()) {
        continue;
      }
      if (m.start() > last) {
        out.part(last, m.start());
      }
      out.part(m.start(), m.end());
      last = m.end();
    }
    if (last < to) {
      out.part(last, to);
    }
  }

  /** This pre-tokenizer as a tokenizer.json {@code pre_tokenizer} value. */
  JsonElement toJson() {
    if (!byteLevel) {
      return com.google.gson.JsonNull.INSTANCE;
    }
    JsonObject bl = new JsonObject();
    bl.addProperty("type", "ByteLevel");
    bl.addProperty("add_prefix_space", addPrefixSpace);
    bl.addProperty("trim_offsets", trimOffsets);
    bl.addProperty("use_regex", useRegex);
    if (steps.isEmpty()) {
      return bl;
    }
    JsonArray all = new JsonArray();
    steps.forEach(s -> all.add(s.json().deepCopy()));
    all.add(bl);
    JsonObject seq = new JsonObject();
    seq.addProperty("type", "Sequence");
    seq.add("pretokenizers", all);
    return seq;
  }
}
