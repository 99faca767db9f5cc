package dev.freshet.adaptation.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.checkpoint.SafeTensors;
import dev.freshet.adaptation.checkpoint.Tensor;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint folders written the way Hugging Face writes them (its config keys, its tensor names and
 * layouts, extra buffers, 16-bit dtypes) load unchanged and compute what their weights say.
 */
class HuggingFaceCheckpointTest {

    private static final String GPT2_CONFIG = """
            {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": %d, "n_embd": 32, "n_layer": 2,
             "n_head": 4, "n_positions": 64, "n_inner": null, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-05,
             "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "float16"}""";

    private static final String LLAMA_CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": %d, "hidden_size": 32,
             "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "max_position_embeddings": 64, "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "tie_word_embeddings": false,
             "hidden_act": "silu", "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "bfloat16"}""";

    @Test
    void loadsAGpt2CheckpointInHuggingFaceLayout(@TempDir Path dir) throws IOException {
        BpeTokenizer tok = TinyModels.tokenizer();
        ModelConfig cfg = ModelConfig.fromJson(GPT2_CONFIG.formatted(tok.vocabSize()));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        for (ParamSpec p : Architecture.of(cfg, null).parameters()) {
            float[] v = random(p.numel(), p.name().hashCode());
            Tensor t = Tensor.ofFloats(DType.F16, p.shape(), v);
            // GPT2LMHeadModel.save_pretrained names the body "transformer.*"
            tensors.put("transformer." + p.name(), t);
            values.put(p.name(), t.toFloats());
        }
        for (int l = 0; l < 2; l++) {
            // The causal-mask buffer older exports carry: ignored, not an error.
            tensors.put("transformer.h." + l + ".attn.bias", Tensor.ofFloats(DType.F32, new long[] {1, 1, 64, 64}, new float[64 * 64]));
        }
        write(dir, GPT2_CONFIG.formatted(tok.vocabSize()), tok, tensors);
        assertLoadsAndComputes(dir, values, "gpt2");
    }

    @Test
    void loadsALlamaCheckpointWithGqaUntiedHeadAndBf16(@TempDir Path dir) throws IOException {
        BpeTokenizer tok = TinyModels.tokenizer();
        ModelConfig cfg = ModelConfig.fromJson(LLAMA_CONFIG.formatted(tok.vocabSize()));
        assertEquals(2, cfg.kvHeads());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        for (ParamSpec p : Architecture.of(cfg, ai.djl.ndarray.NDManager.newBaseManager()).parameters()) {
            Tensor t = Tensor.ofFloats(DType.BF16, p.shape(), random(p.numel(), p.name().hashCode()));
            tensors.put(p.name(), t);
            values.put(p.name(), t.toFloats());
        }
        assertTrue(tensors.containsKey("lm_head.weight") && tensors.containsKey("model.layers.1.self_attn.k_proj.weight"));
        assertEquals(16, tensors.get("model.layers.0.self_attn.k_proj.weight").shape()[0], "k_proj is [G·D, C] = [2·8, 32]");
        write(dir, LLAMA_CONFIG.formatted(tok.vocabSize()), tok, tensors);
        assertLoadsAndComputes(dir, values, "llama");
    }

    @Test
    void aMisShapedTensorIsNamedWithBothShapes(@TempDir Path dir) throws IOException {
        BpeTokenizer tok = TinyModels.tokenizer();
        ModelConfig cfg = ModelConfig.fromJson(GPT2_CONFIG.formatted(tok.vocabSize()));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (ParamSpec p : Architecture.of(cfg, null).parameters()) {
            long[] shape = p.name().equals("h.1.mlp.c_fc.weight") ? new long[] {32, 100} : p.shape();
            long n = shape[0] * (shape.length > 1 ? shape[1] : 1);
            tensors.put(p.name(), Tensor.ofFloats(DType.F32, shape, new float[(int) n]));
        }
        write(dir, GPT2_CONFIG.formatted(tok.vocabSize()), tok, tensors);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LanguageModel.load(dir, Device.cpu()).close());
        assertTrue(e.getMessage().contains("h.1.mlp.c_fc.weight") && e.getMessage().contains("[32, 100]") && e.getMessage().contains("[32, 128]"),
                e.getMessage());
    }

    /** Loads the folder, checks every weight arrived as written, and that it generates and scores. */
    private static void assertLoadsAndComputes(Path dir, Map<String, float[]> values, String type) throws IOException {
        try (LanguageModel m = LanguageModel.load(dir, Device.cpu()); NDScope s = new NDScope()) {
            assertEquals(type, m.config().modelType());
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                float[] got = m.weights().get(e.getKey()).toFloatArray();
                assertTrue(java.util.Arrays.equals(e.getValue(), got), "tensor " + e.getKey() + " differs after loading");
            }
            int[] ids = m.encodeWithStart("Tovrak Melun works at");
            NDArray logits = m.logits(m.weights(), Adaptation.NONE, m.manager().create(LanguageModel.toLongs(ids), new Shape(1, ids.length)));
            assertEquals(new Shape(1, ids.length, m.config().vocabSize()), logits.getShape());
            for (float f : logits.toFloatArray()) {
                assertTrue(Float.isFinite(f));
            }
            assertEquals(5, m.generate("Tovrak", SamplingOptions.greedy(5), Adaptation.NONE, null).tokens().length);
            // Saving and reloading gives the same hash: what is loaded is what is saved.
            Path again = dir.resolveSibling(dir.getFileName() + "-saved");
            String hash = m.save(again, DType.F32);
            try (LanguageModel r = LanguageModel.load(again, Device.cpu())) {
                assertEquals(hash, r.hash());
                assertEquals(m.score("Tovrak", " Melun", Adaptation.NONE).total(), r.score("Tovrak", " Melun", Adaptation.NONE).total(), 1e-5);
            }
        }
    }

    private static void write(Path dir, String config, BpeTokenizer tok, Map<String, Tensor> tensors) throws IOException {
        Files.writeString(dir.resolve("config.json"), config);
        tok.save(dir.resolve("tokenizer.json"));
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    }

    private static float[] random(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 0.2 - 0.1);
        }
        return v;
    }
}
