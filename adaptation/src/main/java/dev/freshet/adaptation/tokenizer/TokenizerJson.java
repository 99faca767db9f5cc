package dev.freshet.adaptation.tokenizer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes Hugging Face {@code tokenizer.json}. Reading accepts exactly the components that
 * {@link BpeTokenizer} implements and rejects the rest by name, because a silently ignored normalizer or
 * pre-tokenizer would give ids that differ from HF's without any sign of it. {@code truncation}, {@code padding}
 * and {@code post_processor} are accepted but not applied: encoding never truncates, pads or adds tokens.
 */
final class TokenizerJson {

  private TokenizerJson() {}

  static BpeTokenizer read(String json) {
    try {
      return readChecked(json);
    } catch (IllegalStateException | UnsupportedOperationException | ClassCastException e) {
      // Gson's accessors throw these for a value of the wrong JSON type.
      throw new IllegalArgumentException("malformed tokenizer.json: " + e.getMessage(), e);
    }
  }

  private static BpeTokenizer readChecked(String json) {
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(json);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("tokenizer.json is not valid JSON: " + e.getMessage(), e);
    }
    JsonObject root = object(parsed, "tokenizer.json");
    boolean nfc = readNormalizer(root.get("normalizer"));
    PreTokenizer pre = readPreTokenizer(root.get("pre_tokenizer"));
    checkDecoder(root.get("decoder"));
    BpeModel model = readModel(object(root.get("model"), "model"));
    JsonElement post = root.get("post_processor");
    return new BpeTokenizer(model, new AddedTokens(readAdded(root.get("added_tokens"), model)), pre, nfc,
        post == null ? JsonNull.INSTANCE : post.deepCopy());
  }

  private static boolean readNormalizer(JsonElement e) {
    if (isNull(e)) {
      return false;
    }
    String type = type(e, "normalizer");
    if (!type.equals("NFC")) {
      throw new IllegalArgumentException("unsupported normalizer type \"" + type + "\" (supported: null, NFC)");
    }
    return true;
  }

  private static PreTokenizer readPreTokenizer(JsonElement e) {
    if (isNull(e)) {
      return PreTokenizer.none();
    }
    String type = type(e, "pre_tokenizer");
    if (type.equals("ByteLevel")) {
      return byteLevel(List.of(), e.getAsJsonObject());
    }
    if (!type.equals("Sequence")) {
      throw unsupportedPreTokenizer(type);
    }
    JsonArray all = array(e.getAsJsonObject().get("pretokenizers"), "pre_tokenizer.pretokenizers");
    List<PreTokenizer.Step> steps = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      String stepType = type(all.get(i), "pre_tokenizer.pretokenizers[" + i + "]");
      JsonObject step = all.get(i).getAsJsonObject();
      if (stepType.equals("ByteLevel") && i == all.size() - 1) {
        return byteLevel(steps, step);
      } else if (stepType.equals("Split")) {
        steps.add(readSplit(step));
      } else if (stepType.equals("Digits")) {
        String pattern = bool(step, "individual_digits", false) ? "\\p{N}" : "\\p{N}+";
        steps.add(PreTokenizer.split(pattern, step.deepCopy()));
      } else {
        throw unsupportedPreTokenizer(stepType + (stepType.equals("ByteLevel") ? " before the last step" : ""));
      }
    }
    throw new IllegalArgumentException(
        "unsupported pre_tokenizer: a Sequence must end with ByteLevel to be byte-level");
  }

  private static IllegalArgumentException unsupportedPreTokenizer(String what) {
    return new IllegalArgumentException("unsupported pre_tokenizer type \"" + what
        + "\" (supported: null, ByteLevel, Sequence of Split/Digits steps ending in ByteLevel)");
  }

  private static PreTokenizer byteLevel(List<PreTokenizer.Step> steps, JsonObject o) {
    return PreTokenizer.byteLevel(steps, bool(o, "add_prefix_space", true), bool(o, "trim_offsets", true),
        bool(o, "use_regex", true));
  }

  private static PreTokenizer.Step readSplit(JsonObject o) {
    String behavior = string(o.get("behavior"), "Split.behavior");
    if (!behavior.equals("Isolated") || bool(o, "invert", false)) {
      throw new IllegalArgumentException("unsupported pre_tokenizer Split with behavior \"" + behavior
          + "\" and invert " + bool(o, "invert", false) + " (supported: Isolated, invert false)");
    }
    JsonObject pattern = object(o.get("pattern"), "Split.pattern");
    if (pattern.has("Regex")) {
      return PreTokenizer.split(string(pattern.get("Regex"), "Split.pattern.Regex"), o.deepCopy());
    }
    if (pattern.has("String")) {
      String literal = string(pattern.get("String"), "Split.pattern.String");
      return PreTokenizer.split(java.util.regex.Pattern.quote(literal), o.deepCopy());
    }
    throw new IllegalArgumentException("unsupported Split pattern " + pattern + " (supported: Regex, String)");
  }

  private static void checkDecoder(JsonElement e) {
    if (!isNull(e) && !type(e, "decoder").equals("ByteLevel")) {
      throw new IllegalArgumentException(
          "unsupported decoder type \"" + type(e, "decoder") + "\" (supported: null, ByteLevel)");
    }
  }

  private static BpeModel readModel(JsonObject m) {
    if (m.has("type") && !string(m.get("type"), "model.type").equals("BPE")) {
      throw new IllegalArgumentException("unsupported model type \"" + m.get("type").getAsString()
          + "\" (supported: BPE)");
    }
    if (!isNull(m.get("dropout")) && m.get("dropout").getAsDouble() != 0) {
      throw new IllegalArgumentException("unsupported model.dropout " + m.get("dropout") + " (BPE dropout)");
    }
    for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
      if (!isNull(m.get(affix)) && !string(m.get(affix), "model." + affix).isEmpty()) {
        throw new IllegalArgumentException("unsupported model." + affix + " " + m.get(affix));
      }
    }
    if (bool(m, "byte_fallback", false)) {
      throw new IllegalArgumentException("unsupported model.byte_fallback true (not a byte-level vocab)");
    }
    JsonObject vocabJson = object(m.get("vocab"), "model.vocab");
    Map<String, Integer> vocab = new HashMap<>(vocabJson.size() * 2);
    for (Map.Entry<String, JsonElement> entry : vocabJson.entrySet()) {
      int id = entry.getValue().getAsInt();
      if (id < 0) {
        throw new IllegalArgumentException("model.vocab gives \"" + entry.getKey() + "\" negative id " + id);
      }
      vocab.put(entry.getKey(), id);
    }
    JsonArray mergesJson = isNull(m.get("merges")) ? new JsonArray() : array(m.get("merges"), "model.merges");
    List<String[]> merges = new ArrayList<>(mergesJson.size());
    for (JsonElement merge : mergesJson) {
      merges.add(readMerge(merge));
    }
    String unk = isNull(m.get("unk_token")) ? null : string(m.get("unk_token"), "model.unk_token");
    return new BpeModel(vocab, merges, unk, bool(m, "fuse_unk", false), bool(m, "ignore_merges", false));
  }

  private static String[] readMerge(JsonElement merge) {
    if (merge.isJsonPrimitive()) {
      String[] parts = merge.getAsString().split(" ", -1);
      if (parts.length == 2) {
        return parts;
      }
    } else if (merge.isJsonArray() && merge.getAsJsonArray().size() == 2) {
      JsonArray pair = merge.getAsJsonArray();
      return new String[] {string(pair.get(0), "model.merges part"), string(pair.get(1), "model.merges part")};
    }
    throw new IllegalArgumentException("model.merges entry " + merge + " is neither \"a b\" nor [\"a\", \"b\"]");
  }

  private static List<AddedTokens.Token> readAdded(JsonElement e, BpeModel model) {
    List<AddedTokens.Token> tokens = new ArrayList<>();
    if (isNull(e)) {
      return tokens;
    }
    for (JsonElement t : array(e, "added_tokens")) {
      JsonObject o = object(t, "added_tokens entry");
      String content = string(o.get("content"), "added_tokens.content");
      // HF gives an added token that is also in the model vocab the vocab's id, whatever the entry says.
      int id = model.vocab().getOrDefault(content, o.get("id").getAsInt());
      tokens.add(new AddedTokens.Token(id, content,
          bool(o, "single_word", false), bool(o, "lstrip", false), bool(o, "rstrip", false),
          bool(o, "normalized", false), bool(o, "special", false)));
    }
    return tokens;
  }

  static String write(BpeTokenizer tokenizer) {
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);
    JsonArray added = new JsonArray();
    tokenizer.addedTokens().all().stream().sorted(Comparator.comparingInt(AddedTokens.Token::id)).forEach(t -> {
      JsonObject o = new JsonObject();
      o.addProperty("id", t.id());
      o.addProperty("content", t.content());
      o.addProperty("single_word", t.singleWord());
      o.addProperty("lstrip", t.lstrip());
      o.addProperty("rstrip", t.rstrip());
      o.addProperty("normalized", t.normalized());
      o.addProperty("special", t.special());
      added.add(o);
    });
    root.add("added_tokens", added);
    root.add("normalizer", tokenizer.nfc() ? typed("NFC") : JsonNull.INSTANCE);
    root.add("pre_tokenizer", tokenizer.preTokenizer().toJson());
    root.add("post_processor", tokenizer.postProcessor().deepCopy());
    JsonObject decoder = typed("ByteLevel");
    decoder.addProperty("add_prefix_space", true);
    decoder.addProperty("trim_offsets", true);
    decoder.addProperty("use_regex", true);
    root.add("decoder", decoder);
    root.add("model", writeModel(tokenizer.model()));
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(root);
  }

  private static JsonObject writeModel(BpeModel model) {
    JsonObject m = typed("BPE");
    m.add("dropout", JsonNull.INSTANCE);
    m.add("unk_token", model.unkToken() == null ? JsonNull.INSTANCE : new JsonPrimitive(model.unkToken()));
    m.add("continuing_subword_prefix", JsonNull.INSTANCE);
    m.add("end_of_word_suffix", JsonNull.INSTANCE);
    m.addProperty("fuse_unk", model.fuseUnk());
    m.addProperty("byte_fallback", false);
    m.addProperty("ignore_merges", model.ignoreMerges());
    JsonObject vocab = new JsonObject();
    model.vocab().entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .forEach(entry -> vocab.addProperty(entry.getKey(), entry.getValue()));
    m.add("vocab", vocab);
    // "a b" cannot hold a part that contains a space; HF reads the array form too.
    boolean arrays = model.merges().stream().anyMatch(p -> p[0].contains(" ") || p[1].contains(" "));
    JsonArray merges = new JsonArray();
    for (String[] pair : model.merges()) {
      if (arrays) {
        JsonArray a = new JsonArray();
        a.add(pair[0]);
        a.add(pair[1]);
        merges.add(a);
      } else {
        merges.add(pair[0] + " " + pair[1]);
      }
    }
    m.add("merges", merges);
    return m;
  }

  /** The default {@code post_processor} for tokenizers made here; trim_offsets false matches our offsets. */
  static JsonObject byteLevelPostProcessor() {
    JsonObject p = typed("ByteLevel");
    p.addProperty("add_prefix_space", false);
    p.addProperty("trim_offsets", false);
    p.addProperty("use_regex", true);
    return p;
  }

  private static JsonObject typed(String type) {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    return o;
  }

  private static boolean isNull(JsonElement e) {
    return e == null || e.isJsonNull();
  }

  private static String type(JsonElement e, String where) {
    return string(object(e, where).get("type"), where + ".type");
  }

  private static JsonObject object(JsonElement e, String where) {
    if (e == null || !e.isJsonObject()) {
      throw new IllegalArgumentException(where + " must be a JSON object, found " + e);
    }
    return e.getAsJsonObject();
  }

  private static JsonArray array(JsonElement e, String where) {
    if (e == null || !e.isJsonArray()) {
      throw new IllegalArgumentException(where + " must be a JSON array, found " + e);
    }
    return e.getAsJsonArray();
  }

  private static String string(JsonElement e, String where) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(where + " must be a string, found " + e);
    }
    return e.getAsString();
  }

  private static boolean bool(JsonObject o, String key, boolean fallback) {
    JsonElement e = o.get(key);
    return isNull(e) ? fallback : e.getAsBoolean();
  }
}
