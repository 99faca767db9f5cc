package dev.freshet.adaptation.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Token offsets point into the caller's text in UTF-16 chars. */
class OffsetsTest {

  @Test
  void asciiTokensConcatenateBackToTheText() {
    BpeTokenizer t = TestTexts.trained();
    for (String text : List.of("The river and the stream.\n\n  Tokens  1234 don't!", TestTexts.corpus(3, 99).get(2))) {
      Encoding e = t.encodeWithOffsets(text);
      assertArrayEquals(t.encode(text), e.ids());
      StringBuilder joined = new StringBuilder();
      int expectedStart = 0;
      for (int i = 0; i < e.size(); i++) {
        assertEquals(expectedStart, e.charStart()[i], "tokens are contiguous");
        assertTrue(e.charEnd()[i] > e.charStart()[i], "tokens are not empty");
        joined.append(text, e.charStart()[i], e.charEnd()[i]);
        expectedStart = e.charEnd()[i];
      }
      assertEquals(text, joined.toString());
    }
  }

  @Test
  void tokensInsideACodePointGetTheWholeCodePoint() {
    BpeTokenizer t = TestTexts.trained();
    Encoding e = t.encodeWithOffsets("a\uD83E\uDD8A");
    assertTrue(e.size() >= 3, "the emoji is not in the vocabulary, so it splits into byte tokens");
    assertEquals(0, e.charStart()[0]);
    assertEquals(1, e.charEnd()[0]);
    for (int i = 1; i < e.size(); i++) {
      assertEquals(1, e.charStart()[i]);
      assertEquals(3, e.charEnd()[i]);
    }
  }

  @Test
  void addedTokenCoversItsText() {
    BpeTokenizer t = TestTexts.trained();
    Encoding e = t.encodeWithOffsets("x<|endoftext|>y");
    assertEquals(3, e.size());
    assertEquals(t.idOf("<|endoftext|>").getAsInt(), e.ids()[1]);
    assertEquals(1, e.charStart()[1]);
    assertEquals(14, e.charEnd()[1]);
  }

  @Test
  void offsetsAreOrderedAndInRangeForAnyText() {
    BpeTokenizer t = TestTexts.trained();
    Random random = new Random(5);
    for (int n = 0; n < 500; n++) {
      String s = TestTexts.unicode(random, 30);
      Encoding e = t.encodeWithOffsets(s);
      for (int i = 0; i < e.size(); i++) {
        assertTrue(0 <= e.charStart()[i] && e.charStart()[i] < e.charEnd()[i] && e.charEnd()[i] <= s.length());
        assertTrue(i == 0 || e.charStart()[i] >= e.charStart()[i - 1]);
      }
    }
  }

  @Test
  void nfcNormalizerMapsComposedTokensToTheirSourceChars() {
    JsonObject root = JsonParser.parseString(TestTexts.trained().toJson()).getAsJsonObject();
    root.add("normalizer", JsonParser.parseString("{\"type\": \"NFC\"}"));
    BpeTokenizer nfc = BpeTokenizer.fromJson(root.toString());
    String decomposed = "e\u0301t\u00E9";
    assertArrayEquals(nfc.encode("\u00E9t\u00E9"), nfc.encode(decomposed));
    assertEquals("\u00E9t\u00E9", nfc.decode(nfc.encode(decomposed)));
    Encoding e = nfc.encodeWithOffsets(decomposed);
    assertEquals(0, e.charStart()[0]);
    assertEquals(4, e.charEnd()[e.size() - 1]);
    for (int i = 0; i < e.size(); i++) {
      boolean inFirst = e.charStart()[i] == 0 && e.charEnd()[i] == 2;
      boolean inRest = e.charStart()[i] >= 2;
      assertTrue(inFirst || inRest, "a token of the composed é maps to both source chars e and U+0301");
    }
  }
}
