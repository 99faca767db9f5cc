package dev.freshet.adaptation.tokenizer;

/**
 * GPT-2's reversible byte&lt;-&gt;character alphabet ({@code bytes_to_unicode}). Byte-level BPE vocabularies
 * store every token as a string of these characters, one per UTF-8 byte, so that tokens are printable
 * strings that JSON can hold and that never contain a raw space or control character.
 */
final class ByteLevel {

  /** GPT-2's pre-tokenization pattern, as written in Hugging Face's ByteLevel pre-tokenizer. */
  static final String GPT2_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  private static final char[] BYTE_TO_CHAR = new char[256];
  /** Indexed by character; -1 where the character is not part of the alphabet. */
  private static final int[] CHAR_TO_BYTE = new int[256 + 256];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      // Printable Latin-1 bytes stand for themselves; the rest are moved past 255, in byte order.
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) (256 + shifted++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevel() {}

  static char toChar(int unsignedByte) {
    return BYTE_TO_CHAR[unsignedByte];
  }

  /** The byte a character stands for, or -1 when it is not one of the 256 alphabet characters. */
  static int toByte(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** Whether every character of {@code token} belongs to the alphabet. */
  static boolean isByteLevel(String token) {
    for (int i = 0; i < token.length(); i++) {
      if (toByte(token.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The bytes an alphabet string stands for; every char must satisfy {@link #isByteLevel}. */
  static byte[] decode(String token) {
    byte[] out = new byte[token.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) CHAR_TO_BYTE[token.charAt(i)];
    }
    return out;
  }
}
