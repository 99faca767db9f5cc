package dev.freshet.adaptation.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-made tokenizer.json whose ids are worked out by hand (and agree with HF tokenizers). The merge
 * ranks are chosen so that merging leftmost-first instead of lowest-rank-first gives different ids.
 */
class TokenizerJsonTest {

  private static final String VOCAB = """
      {"<|endoftext|>": 0, "a": 1, "b": 2, "c": 3, "d": 4, "Ġ": 5, "!": 6, "ab": 7, "bc": 8, "abc": 9,
       "Ġa": 10, "Ġab": 11, "cd": 12, "!a": 13, "-": 14, "abcd": 15}""";
  private static final String STRING_MERGES = """
      ["! a", "b c", "a b", "Ġ a", "a bc", "c d", "Ġa b"]""";
  private static final String ARRAY_MERGES = """
      [["!", "a"], ["b", "c"], ["a", "b"], ["Ġ", "a"], ["a", "bc"], ["c", "d"], ["Ġa", "b"]]""";
  private static final String GPT2 = """
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}""";
  static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+"
      + "|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+";

  static String tiny(String preTokenizer, String merges, boolean ignoreMerges) {
    return """
        {"version": "1.0", "truncation": null, "padding": null,
         "added_tokens": [{"id": 0, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
                           "rstrip": false, "normalized": false, "special": true}],
         "normalizer": null, "pre_tokenizer": %s, "post_processor": null,
         "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
         "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                   "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                   "ignore_merges": %s, "vocab": %s, "merges": %s}}
        """.formatted(preTokenizer, ignoreMerges, VOCAB, merges);
  }

  static String sequence(String split) {
    return """
        {"type": "Sequence", "pretokenizers": [%s,
          {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
        """.formatted(split);
  }

  static String regexSplit(String regex) {
    return "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"" + regex
        + "\"}, \"behavior\": \"Isolated\", \"invert\": false}";
  }

  private static BpeTokenizer gpt2Style() {
    return BpeTokenizer.fromJson(tiny(GPT2, STRING_MERGES, false));
  }

  @Test
  void stringMergesGiveHandComputedIds() {
    BpeTokenizer t = gpt2Style();
    // b+c (rank 1) goes before a+b (rank 2), then a+bc.
    assertArrayEquals(new int[] {9}, t.encode("abc"));
    // Ġ a b c d: b+c, then Ġ+a; nothing joins Ġa, bc, d.
    assertArrayEquals(new int[] {10, 8, 4}, t.encode(" abcd"));
    assertArrayEquals(new int[] {9, 4, 10, 8, 6}, t.encode("abcd abc!"));
    // a+b (rank 2) beats Ġ+a (rank 3), which leaves Ġ alone.
    assertArrayEquals(new int[] {5, 7, 4}, t.encode(" abd"));
    // The GPT-2 pattern gives "a", " ", " abc": a space run leaves its last space to the next word.
    assertArrayEquals(new int[] {1, 5, 10, 8}, t.encode("a  abc"));
    assertArrayEquals(new int[] {6, 7}, t.encode("!ab"));
    assertArrayEquals(new int[0], t.encode(""));
  }

  @Test
  void arrayMergesReadLikeStringMerges() {
    BpeTokenizer strings = gpt2Style();
    BpeTokenizer arrays = BpeTokenizer.fromJson(tiny(GPT2, ARRAY_MERGES, false));
    for (String s : new String[] {"abc", " abcd", "abcd abc!", " abd", "a  b", "!ab"}) {
      assertArrayEquals(strings.encode(s), arrays.encode(s), s);
    }
    assertEquals(strings.toJson(), arrays.toJson());
  }

  @Test
  void sequenceOfSplitAndByteLevelUsesTheSplitPattern() {
    BpeTokenizer llama = BpeTokenizer.fromJson(tiny(sequence(regexSplit(LLAMA3_REGEX)), ARRAY_MERGES, false));
    // Llama 3's pattern keeps "!" with the letters after it, so the rank-0 merge "! a" applies.
    assertArrayEquals(new int[] {13, 2}, llama.encode("!ab"));
    assertArrayEquals(new int[] {9, 4, 10, 8, 6}, llama.encode("abcd abc!"));

    String literal = "{\"type\": \"Split\", \"pattern\": {\"String\": \"bc\"}, \"behavior\": \"Isolated\"}";
    BpeTokenizer split = BpeTokenizer.fromJson(tiny(sequence(literal), STRING_MERGES, false));
    assertArrayEquals(new int[] {1, 8}, split.encode("abc"));
    assertArrayEquals(new int[] {1, 8, 4}, split.encode("abcd"));
  }

  @Test
  void prefixSpaceAndIgnoreMerges() {
    String prefix = GPT2.replace("\"add_prefix_space\": false", "\"add_prefix_space\": true");
    BpeTokenizer t = BpeTokenizer.fromJson(tiny(prefix, STRING_MERGES, false));
    assertArrayEquals(new int[] {10, 8}, t.encode("abc"));
    // HF prepends the space to each piece between added tokens.
    assertArrayEquals(new int[] {5, 12, 0, 5, 7}, t.encode("cd<|endoftext|>ab"));

    BpeTokenizer whole = BpeTokenizer.fromJson(tiny(GPT2, STRING_MERGES, true));
    assertArrayEquals(new int[] {15}, whole.encode("abcd"));
    assertArrayEquals(new int[] {9, 4}, gpt2Style().encode("abcd"));
  }

  @Test
  void addedTokenInTextIsOneId() {
    BpeTokenizer t = gpt2Style();
    assertArrayEquals(new int[] {12, 0, 7}, t.encode("cd<|endoftext|>ab"));
    assertArrayEquals(new int[] {0, 0}, t.encode("<|endoftext|><|endoftext|>"));
    assertEquals("cd<|endoftext|>ab", t.decode(t.encode("cd<|endoftext|>ab")));
  }

  @Test
  void idOfTokenOfAndVocabSize() {
    BpeTokenizer t = gpt2Style();
    assertEquals(OptionalInt.of(0), t.idOf("<|endoftext|>"));
    assertEquals(OptionalInt.of(10), t.idOf("Ġa"));
    assertEquals(OptionalInt.empty(), t.idOf("zz"));
    assertEquals("Ġa", t.tokenOf(10));
    assertEquals("<|endoftext|>", t.tokenOf(0));
    assertThrows(IllegalArgumentException.class, () -> t.tokenOf(16));
    assertEquals(16, t.vocabSize());
    assertTrue(t.isSpecial(0));
    assertFalse(t.isSpecial(10));
    assertEquals(" a", t.decode(new int[] {10}));
  }

  @Test
  void toJsonReadsBackIdenticallyAndIsComplete(@TempDir Path dir) throws Exception {
    BpeTokenizer llama = BpeTokenizer.fromJson(tiny(sequence(regexSplit(LLAMA3_REGEX)), ARRAY_MERGES, true));
    Path file = dir.resolve("tokenizer.json");
    llama.save(file);
    BpeTokenizer back = BpeTokenizer.load(file);
    assertEquals(llama.toJson(), back.toJson());
    for (String s : new String[] {"!ab", "abcd abc!", "a  b\n\n!", "abcd"}) {
      assertArrayEquals(llama.encode(s), back.encode(s), s);
    }
    JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    assertEquals("1.0", root.get("version").getAsString());
    assertTrue(root.get("truncation").isJsonNull());
    JsonObject model = root.getAsJsonObject("model");
    assertEquals("BPE", model.get("type").getAsString());
    assertTrue(model.get("ignore_merges").getAsBoolean());
    assertEquals("! a", model.getAsJsonArray("merges").get(0).getAsString());
    assertEquals(15, model.getAsJsonObject("vocab").get("abcd").getAsInt());
    assertEquals("Sequence", root.getAsJsonObject("pre_tokenizer").get("type").getAsString());
    assertEquals("ByteLevel", root.getAsJsonObject("decoder").get("type").getAsString());
  }

  @Test
  void unsupportedComponentsAreNamed() {
    String whitespace = tiny("{\"type\": \"Whitespace\"}", STRING_MERGES, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson(whitespace));
    assertTrue(e.getMessage().contains("Whitespace"), e.getMessage());

    String metaspace = tiny(sequence("{\"type\": \"Metaspace\"}"), STRING_MERGES, false);
    e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson(metaspace));
    assertTrue(e.getMessage().contains("Metaspace"), e.getMessage());

    String removed = tiny(sequence(regexSplit("a").replace("Isolated", "Removed")), STRING_MERGES, false);
    e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson(removed));
    assertTrue(e.getMessage().contains("Removed"), e.getMessage());

    String lowercase = tiny(GPT2, STRING_MERGES, false)
        .replace("\"normalizer\": null", "\"normalizer\": {\"type\": \"Lowercase\"}");
    e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson(lowercase));
    assertTrue(e.getMessage().contains("Lowercase"), e.getMessage());

    String wordPiece = tiny(GPT2, STRING_MERGES, false).replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\"");
    e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson(wordPiece));
    assertTrue(e.getMessage().contains("WordPiece"), e.getMessage());

    String badMerge = tiny(GPT2, "[\"a x\"]", false);
    e = assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson(badMerge));
    assertTrue(e.getMessage().contains("\"x\""), e.getMessage());

    assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.fromJson("{not json"));
  }
}
