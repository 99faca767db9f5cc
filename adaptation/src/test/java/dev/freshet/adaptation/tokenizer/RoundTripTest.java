package dev.freshet.adaptation.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** decode(encode(s)) == s for arbitrary text, under both the GPT-2 and the Llama 3 style pre-tokenizer. */
class RoundTripTest {

  /** The trained tokenizer with Llama 3's Split pattern in front of a ByteLevel that no longer splits. */
  private static BpeTokenizer llamaStyle() {
    JsonObject root = JsonParser.parseString(TestTexts.trained().toJson()).getAsJsonObject();
    String sequence = TokenizerJsonTest.sequence(TokenizerJsonTest.regexSplit(TokenizerJsonTest.LLAMA3_REGEX));
    root.add("pre_tokenizer", JsonParser.parseString(sequence));
    return BpeTokenizer.fromJson(root.toString());
  }

  @Test
  void randomUnicodeRoundTrips() {
    Random random = new Random(20240601);
    BpeTokenizer gpt2 = TestTexts.trained();
    BpeTokenizer llama = llamaStyle();
    for (int i = 0; i < 4000; i++) {
      String s = TestTexts.unicode(random, random.nextInt(40));
      assertEquals(s, gpt2.decode(gpt2.encode(s)), () -> "gpt2 pattern: " + escape(s));
      assertEquals(s, llama.decode(llama.encode(s)), () -> "llama pattern: " + escape(s));
    }
  }

  @Test
  void longRunsAndEdgeCasesRoundTrip() {
    BpeTokenizer t = TestTexts.trained();
    String[] cases = {
      "", " ", "\n", "   \t\t\n\n  x", " ".repeat(10_000), "a".repeat(10_000), "\uD83D\uDE00".repeat(500),
      "\u0000\u0001\u007F\u0080\u009F", "e\u0301 \u212B \uFB01", "<|endoftext|>", "<|endoftext|",
      "<|pad|><|endoftext|>",
      "don't I'LL 'S", "\uDBFF\uDFFF\uD800\uDC00", "\u00A0\u2028\u2029\u3000"
    };
    for (String s : cases) {
      assertEquals(s, t.decode(t.encode(s)), () -> escape(s));
    }
  }

  @Test
  void decodeBytesStreamsTokensThatSplitCodePoints() {
    BpeTokenizer t = TestTexts.trained();
    String s = "naïve 日本語 \uD83D\uDE80 done";
    int[] ids = t.encode(s);
    ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    for (int id : ids) {
      streamed.writeBytes(t.decodeBytes(new int[] {id}));
    }
    assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), streamed.toByteArray());
    assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), t.decodeBytes(ids));
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(cp -> out.append(cp < 0x20 || cp > 0x7E ? String.format("\\u{%X}", cp) : (char) cp));
    return out.toString();
  }
}
