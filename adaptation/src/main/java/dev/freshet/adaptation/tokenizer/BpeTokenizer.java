package dev.freshet.adaptation.tokenizer;

import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A byte-level BPE tokenizer (GPT-2, Llama 3, Qwen2, SmolLM family) that reads and writes Hugging Face
 * {@code tokenizer.json} and gives the same ids as HF {@code tokenizers} for the parts it supports, in pure
 * Java so that the project needs no native library to tokenize.
 *
 * <p>Encoding runs: added tokens are cut out of the raw text; each stretch between them is normalized (NFC
 * when configured), split into pre-tokens, turned into UTF-8 bytes spelled in GPT-2's byte alphabet, and
 * merged by rank. No BOS/EOS or other special tokens are ever added. Because every byte of the text ends up
 * in some token, {@code decode(encode(s))} gives back {@code s} for every valid string (a lone surrogate,
 * which has no UTF-8 form, comes back as U+FFFD).
 *
 * <p>Checked against HF {@code tokenizers} (its Node.js binding, 0.23.2) on random Unicode text with GPT-2,
 * Llama 3, Qwen2 (NFC) and Digits pre-tokenizers: the ids agree. Known, deliberate differences: a token that is
 * only the space added by {@code add_prefix_space} gets an empty offset range (HF gives it the first char's);
 * under NFC, a token from a changed character maps to all source chars it came from; a null pre_tokenizer still
 * spells text in the byte alphabet (HF would look raw characters up in the vocab); added-token ids are taken
 * from the file as written.
 *
 * <p>Instances are immutable apart from an internal cache and are safe to share between threads.
 */
public final class BpeTokenizer {

  private final BpeModel model;
  private final AddedTokens added;
  private final PreTokenizer preTokenizer;
  private final boolean nfc;
  private final JsonElement postProcessor;
  private final Map<String, Integer> addedIds = new HashMap<>();
  private final String[] tokenById;
  private final byte[][] bytesById;
  private final boolean[] specialById;

  BpeTokenizer(BpeModel model, AddedTokens added, PreTokenizer preTokenizer, boolean nfc,
      JsonElement postProcessor) {
    this.model = model;
    this.added = added;
    this.preTokenizer = preTokenizer;
    this.nfc = nfc;
    this.postProcessor = postProcessor;
    int size = 0;
    for (int id : model.vocab().values()) {
      size = Math.max(size, id + 1);
    }
    for (AddedTokens.Token t : added.all()) {
      size = Math.max(size, t.id() + 1);
    }
    tokenById = new String[size];
    bytesById = new byte[size][];
    specialById = new boolean[size];
    model.vocab().forEach((token, id) -> {
      tokenById[id] = token;
      // HF's ByteLevel decoder spells a token in the byte alphabet when it can, else as its own UTF-8.
      bytesById[id] = ByteLevel.isByteLevel(token) ? ByteLevel.decode(token) : utf8(token);
    });
    for (AddedTokens.Token t : added.all()) {
      addedIds.put(t.content(), t.id());
      tokenById[t.id()] = t.content();
      // An added token was matched literally in the text, so its literal text is what decodes back.
      bytesById[t.id()] = utf8(t.content());
      specialById[t.id()] = t.special();
    }
  }

  /**
   * Reads a Hugging Face {@code tokenizer.json}.
   *
   * @throws IllegalArgumentException if the JSON is malformed or uses a component this class does not
   *     implement; the message names the component
   */
  public static BpeTokenizer fromJson(String tokenizerJson) {
    return TokenizerJson.read(tokenizerJson);
  }

  public static BpeTokenizer load(Path tokenizerJson) throws IOException {
    return fromJson(Files.readString(tokenizerJson, StandardCharsets.UTF_8));
  }

  /** A complete {@code tokenizer.json}, byte-identical for equal tokenizers, that HF and {@link #fromJson} read. */
  public String toJson() {
    return TokenizerJson.write(this);
  }

  public void save(Path file) throws IOException {
    Files.writeString(file, toJson(), StandardCharsets.UTF_8);
  }

  /** The ids of {@code text}; added tokens that occur literally become their single id; no BOS/EOS. */
  public int[] encode(String text) {
    Run run = new Run(text, false);
    run.encode();
    return run.ids.toArray();
  }

  /**
   * The ids of {@link #encode} plus, per token, the [start,end) range of {@code text} in UTF-16 chars it
   * covers. A token holding only some bytes of a code point gets that whole code point's range, so neighbours
   * may overlap; a token holding only a space added by {@code add_prefix_space} gets an empty range.
   */
  public Encoding encodeWithOffsets(String text) {
    Run run = new Run(text, true);
    run.encode();
    return new Encoding(run.ids.toArray(), run.starts.toArray(), run.ends.toArray());
  }

  /** The text of {@code ids}; bytes that do not form valid UTF-8 become U+FFFD. Unknown ids are skipped. */
  public String decode(int[] ids) {
    return new String(decodeBytes(ids), StandardCharsets.UTF_8);
  }

  /** The raw bytes of {@code ids}, for streaming, where a token may end in the middle of a code point. */
  public byte[] decodeBytes(int[] ids) {
    int length = 0;
    for (int id : ids) {
      length += id >= 0 && id < bytesById.length && bytesById[id] != null ? bytesById[id].length : 0;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (int id : ids) {
      if (id >= 0 && id < bytesById.length && bytesById[id] != null) {
        System.arraycopy(bytesById[id], 0, out, at, bytesById[id].length);
        at += bytesById[id].length;
      }
    }
    return out;
  }

  /** Largest id + 1, counting added tokens. */
  public int vocabSize() {
    return tokenById.length;
  }

  /** The id of a vocabulary or added token in its stored form, e.g. {@code "Ġthe"} or {@code "<|endoftext|>"}. */
  public OptionalInt idOf(String token) {
    Integer id = addedIds.get(token);
    if (id == null) {
      id = model.vocab().get(token);
    }
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /**
   * The stored form of a token: the added token's content, or the vocabulary string in the byte alphabet.
   *
   * @throws IllegalArgumentException if no token has this id
   */
  public String tokenOf(int id) {
    if (id < 0 || id >= tokenById.length || tokenById[id] == null) {
      throw new IllegalArgumentException("no token has id " + id);
    }
    return tokenById[id];
  }

  /** Whether {@code id} is an added token marked special, such as an end-of-text marker. */
  public boolean isSpecial(int id) {
    return id >= 0 && id < specialById.length && specialById[id];
  }

  BpeModel model() {
    return model;
  }

  AddedTokens addedTokens() {
    return added;
  }

  PreTokenizer preTokenizer() {
    return preTokenizer;
  }

  boolean nfc() {
    return nfc;
  }

  JsonElement postProcessor() {
    return postProcessor;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The state of one encode call, so that the tokenizer itself stays immutable. */
  private final class Run {
    final String text;
    final boolean offsets;
    final IntList ids;
    final IntList starts;
    final IntList ends;
    final StringBuilder word = new StringBuilder();
    /** Per byte of the current pre-token: the normalized-text range of the code point it came from. */
    final IntList byteFrom = new IntList(64);
    final IntList byteTo = new IntList(64);

    Run(String text, boolean offsets) {
      this.text = text;
      this.offsets = offsets;
      ids = new IntList(text.length() / 3 + 1);
      starts = offsets ? new IntList(text.length() / 3 + 1) : null;
      ends = offsets ? new IntList(text.length() / 3 + 1) : null;
    }

    void encode() {
      added.split(text, (start, end, addedId) -> {
        if (addedId >= 0) {
          emit(addedId, start, end);
        } else {
          String segment = text.substring(start, end);
          Nfc.Aligned aligned = nfc ? Nfc.normalize(segment) : Nfc.identity(segment);
          String normalized = aligned.text();
          preTokenizer.split(normalized, 0, normalized.length(),
              (from, to, prefixSpace) -> encodePiece(normalized, aligned, start, from, to, prefixSpace));
        }
      });
    }

    private void encodePiece(String normalized, Nfc.Aligned aligned, int segmentStart, int from, int to,
        boolean prefixSpace) {
      word.setLength(0);
      byteFrom.clear();
      byteTo.clear();
      if (prefixSpace) {
        addByte(' ', from, from);
      }
      for (int i = from; i < to; ) {
        int cp = normalized.codePointAt(i);
        int next = i + Character.charCount(cp);
        if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
          cp = 0xFFFD; // an unpaired surrogate has no UTF-8 form
        }
        if (cp < 0x80) {
          addByte(cp, i, next);
        } else if (cp < 0x800) {
          addByte(0xC0 | cp >> 6, i, next);
          addByte(0x80 | cp & 0x3F, i, next);
        } else if (cp < 0x10000) {
          addByte(0xE0 | cp >> 12, i, next);
          addByte(0x80 | cp >> 6 & 0x3F, i, next);
          addByte(0x80 | cp & 0x3F, i, next);
        } else {
          addByte(0xF0 | cp >> 18, i, next);
          addByte(0x80 | cp >> 12 & 0x3F, i, next);
          addByte(0x80 | cp >> 6 & 0x3F, i, next);
          addByte(0x80 | cp & 0x3F, i, next);
        }
        i = next;
      }
      BpeModel.Pieces pieces = model.encodeWord(word.toString());
      for (int k = 0; k < pieces.ids().length; k++) {
        if (!offsets) {
          ids.add(pieces.ids()[k]);
          continue;
        }
        int a = byteFrom.get(pieces.byteStart()[k]);
        int b = byteTo.get(pieces.byteEnd()[k] - 1);
        int sourceStart = aligned.from(a);
        int sourceEnd = b > a ? aligned.to(b - 1) : sourceStart;
        emit(pieces.ids()[k], segmentStart + sourceStart, segmentStart + sourceEnd);
      }
    }

    private void addByte(int b, int from, int to) {
      word.append(ByteLevel.toChar(b));
      if (offsets) {
        byteFrom.add(from);
        byteTo.add(to);
      }
    }

    private void emit(int id, int start, int end) {
      ids.add(id);
      if (offsets) {
        starts.add(start);
        ends.add(end);
      }
    }
  }
}
