package dev.freshet.adaptation.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.util.Locale;

/**
 * The shape of a decoder-only transformer, read once from a Hugging Face style {@code config.json}.
 *
 * <p>Two families share this record: {@link Family#GPT2} (learned positions, LayerNorm, GELU MLP, tied
 * embeddings, fused {@code c_attn}) and {@link Family#LLAMA} (RMSNorm, rotary positions, SwiGLU MLP,
 * grouped-query attention; Qwen2 and Mistral configs read as Llama with their biases). Keys are the
 * ones the Hugging Face configs use for each family, so a real checkpoint's file reads unchanged.
 *
 * @param family architecture family, from {@code model_type}
 * @param vocabSize V
 * @param hidden C, the residual width
 * @param layers number of transformer blocks
 * @param heads query heads
 * @param kvHeads key/value heads (GQA; equal to {@code heads} for GPT-2)
 * @param intermediate MLP inner width (4C for GPT-2 unless {@code n_inner} says otherwise)
 * @param maxPositions longest sequence the positions cover
 * @param normEps epsilon of LayerNorm / RMSNorm
 * @param ropeTheta rotary base (Llama only)
 * @param tieEmbeddings whether the output projection is the token embedding
 * @param attentionBias q/k/v projections carry biases (Qwen2)
 * @param activation GPT-2 activation: {@code gelu} (erf) or {@code gelu_new} (tanh approximation)
 * @param bosTokenId beginning-of-sequence id, -1 if none
 * @param eosTokenId end-of-sequence id, -1 if none
 * @param modelType the {@code model_type} string as written, kept for round-tripping
 */
public record ModelConfig(
        Family family,
        int vocabSize,
        int hidden,
        int layers,
        int heads,
        int kvHeads,
        int intermediate,
        int maxPositions,
        float normEps,
        float ropeTheta,
        boolean tieEmbeddings,
        boolean attentionBias,
        String activation,
        int bosTokenId,
        int eosTokenId,
        String modelType) {

    /** Architecture families this core implements. */
    public enum Family {
        GPT2,
        LLAMA
    }

    public ModelConfig {
        require(vocabSize > 0, "vocab_size must be positive");
        require(hidden > 0 && layers > 0 && heads > 0, "hidden size, layers and heads must be positive");
        require(hidden % heads == 0, "hidden size " + hidden + " is not divisible by heads " + heads);
        require(kvHeads > 0 && heads % kvHeads == 0, "heads " + heads + " not divisible by kv heads " + kvHeads);
        require(intermediate > 0 && maxPositions > 0, "intermediate size and max positions must be positive");
        require(family == Family.LLAMA || kvHeads == heads, "GPT-2 has no grouped-query attention");
        require((hidden / heads) % 2 == 0 || family == Family.GPT2, "rotary positions need an even head size");
    }

    /** D, the width of one attention head. */
    public int headDim() {
        return hidden / heads;
    }

    /** Parses a Hugging Face {@code config.json}. */
    public static ModelConfig fromJson(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        String type = str(o, "model_type", "gpt2").toLowerCase(Locale.ROOT);
        switch (type) {
            case "gpt2":
                int c = num(o, "n_embd", 768);
                int h = num(o, "n_head", 12);
                JsonElement inner = o.get("n_inner");
                return new ModelConfig(
                        Family.GPT2,
                        num(o, "vocab_size", 50257),
                        c,
                        num(o, "n_layer", 12),
                        h,
                        h,
                        inner == null || inner.isJsonNull() ? 4 * c : inner.getAsInt(),
                        num(o, "n_positions", 1024),
                        (float) dbl(o, "layer_norm_epsilon", 1e-5),
                        0f,
                        true,
                        true,
                        str(o, "activation_function", "gelu_new"),
                        num(o, "bos_token_id", -1),
                        num(o, "eos_token_id", -1),
                        type);
            case "llama":
            case "qwen2":
            case "mistral":
            case "smollm":
                int heads = num(o, "num_attention_heads", 32);
                return new ModelConfig(
                        Family.LLAMA,
                        num(o, "vocab_size", 32000),
                        num(o, "hidden_size", 4096),
                        num(o, "num_hidden_layers", 32),
                        heads,
                        num(o, "num_key_value_heads", heads),
                        num(o, "intermediate_size", 11008),
                        num(o, "max_position_embeddings", 2048),
                        (float) dbl(o, "rms_norm_eps", 1e-6),
                        (float) dbl(o, "rope_theta", 10000.0),
                        bool(o, "tie_word_embeddings", false),
                        bool(o, "attention_bias", type.equals("qwen2")),
                        str(o, "hidden_act", "silu"),
                        num(o, "bos_token_id", -1),
                        num(o, "eos_token_id", -1),
                        type);
            default:
                throw new IllegalArgumentException(
                        "unsupported model_type '" + type + "': Freshet reads gpt2 and llama-family (llama, qwen2, mistral) configs");
        }
    }

    /** Writes the Hugging Face {@code config.json} this record was read from (or would be). */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", modelType);
        if (family == Family.GPT2) {
            com.google.gson.JsonArray arch = new com.google.gson.JsonArray();
            arch.add("GPT2LMHeadModel");
            o.add("architectures", arch);
            o.addProperty("vocab_size", vocabSize);
            o.addProperty("n_embd", hidden);
            o.addProperty("n_layer", layers);
            o.addProperty("n_head", heads);
            o.addProperty("n_inner", intermediate);
            o.addProperty("n_positions", maxPositions);
            o.addProperty("layer_norm_epsilon", normEps);
            o.addProperty("activation_function", activation);
        } else {
            o.addProperty("vocab_size", vocabSize);
            o.addProperty("hidden_size", hidden);
            o.addProperty("num_hidden_layers", layers);
            o.addProperty("num_attention_heads", heads);
            o.addProperty("num_key_value_heads", kvHeads);
            o.addProperty("intermediate_size", intermediate);
            o.addProperty("max_position_embeddings", maxPositions);
            o.addProperty("rms_norm_eps", normEps);
            o.addProperty("rope_theta", ropeTheta);
            o.addProperty("tie_word_embeddings", tieEmbeddings);
            o.addProperty("attention_bias", attentionBias);
            o.addProperty("hidden_act", activation);
        }
        if (bosTokenId >= 0) {
            o.addProperty("bos_token_id", bosTokenId);
        }
        if (eosTokenId >= 0) {
            o.addProperty("eos_token_id", eosTokenId);
        }
        o.addProperty("torch_dtype", "float32");
        return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model config: " + message);
        }
    }

    private static int num(JsonObject o, String key, int dflt) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return dflt;
        }
        // Some configs list several eos ids; the first is the one generation stops on.
        return e.isJsonArray() ? e.getAsJsonArray().get(0).getAsInt() : e.getAsInt();
    }

    private static double dbl(JsonObject o, String key, double dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsDouble();
    }

    private static boolean bool(JsonObject o, String key, boolean dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsBoolean();
    }

    private static String str(JsonObject o, String key, String dflt) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? dflt : e.getAsString();
    }
}
