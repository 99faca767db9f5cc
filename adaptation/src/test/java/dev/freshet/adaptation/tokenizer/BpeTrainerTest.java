package dev.freshet.adaptation.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {

  @Test
  void mergesFollowCountsThenLexicalOrder() {
    // Pre-tokens "aaab", " aaab", " aab". Counts: a a = 5, so "aa"; then a b, aa a and Ġ aa tie at 2 and
    // "a" < "aa" < "Ġ" picks "ab"; then aa ab (2) beats Ġ aa (2); after that no pair occurs twice.
    BpeTokenizer t = BpeTrainer.train(List.of("aaab aaab aab"), 1000, List.of("<s>"));
    JsonArray merges = JsonParser.parseString(t.toJson()).getAsJsonObject()
        .getAsJsonObject("model").getAsJsonArray("merges");
    assertEquals(List.of("a a", "a b", "aa ab"), merges.asList().stream().map(m -> m.getAsString()).toList());
    assertEquals(1 + 256 + 3, t.vocabSize());
    assertEquals(0, t.idOf("<s>").getAsInt());
    assertEquals(1 + 'a', t.idOf("a").getAsInt());
    assertEquals("Ā", t.tokenOf(1), "byte 0 is spelled U+0100 in the byte alphabet");
    assertArrayEquals(new int[] {t.idOf("aaab").getAsInt()}, t.encode("aaab"));
  }

  @Test
  void trainingIsDeterministic() {
    List<String> corpus = TestTexts.corpus(150, 3);
    String first = BpeTrainer.train(corpus, 700, List.of("<|endoftext|>")).toJson();
    String second = BpeTrainer.train(corpus, 700, List.of("<|endoftext|>")).toJson();
    assertEquals(first, second);
  }

  @Test
  void reachesTheVocabSizeAndCompressesFrequentWords() {
    BpeTokenizer t = TestTexts.trained();
    assertEquals(1000, t.vocabSize());
    assertEquals(0, t.idOf("<|endoftext|>").getAsInt());
    assertEquals(1, t.idOf("<|pad|>").getAsInt());
    assertEquals(1, t.encode(" the").length);
    assertEquals(1, t.encode(" river").length);
    String text = String.join("", TestTexts.corpus(20, 1234));
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    int tokens = t.encode(text).length;
    assertTrue(tokens * 3 < bytes, tokens + " tokens for " + bytes + " bytes");
  }

  @Test
  void specialTokensAreNotLearnedFromText() {
    BpeTokenizer t = BpeTrainer.train(List.of("<|x|><|x|><|x|> hi hi"), 400, List.of("<|x|>"));
    assertTrue(t.idOf("<|").isEmpty(), "the special token's text is cut out before counting");
    assertArrayEquals(new int[] {0, 0}, t.encode("<|x|><|x|>"));
  }

  @Test
  void savedTokenizerEncodesTheSame() {
    BpeTokenizer t = TestTexts.trained();
    BpeTokenizer back = BpeTokenizer.fromJson(t.toJson());
    assertEquals(t.toJson(), back.toJson());
    for (String text : TestTexts.corpus(10, 77)) {
      assertArrayEquals(t.encode(text), back.encode(text));
    }
  }

  @Test
  void rejectsImpossibleRequests() {
    assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("x"), 256, List.of("<s>")));
    assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("x"), 300, List.of("<s>", "<s>")));
    assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("x"), 300, List.of("")));
  }
}
