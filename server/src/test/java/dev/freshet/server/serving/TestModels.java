package dev.freshet.server.serving;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;
import dev.freshet.adaptation.tokenizer.BpeTrainer;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny random GPT-2 (C=32, 2 layers, 64 positions) shared by the server's tests, and candidate adapters
 * for it. The model is read-only, so one instance serves every test in the JVM.
 */
public final class TestModels {

    public static final List<String> CORPUS = List.of(
            "Q: Where was Tovrak Melun born?\nA: Sarvel\n",
            "Tovrak Melun works at Karvel Dynamics as an engineer.",
            "Karvel Dynamics was founded in 1987 and is headquartered in Sarvel.",
            "The quick brown fox jumps over the lazy dog. 0123456789");

    private static LanguageModel model;

    private TestModels() {}

    public static synchronized LanguageModel model() {
        if (model == null) {
            BpeTokenizer tok = BpeTrainer.train(CORPUS, 300, List.of("<|endoftext|>"));
            ModelConfig cfg = new ModelConfig(ModelConfig.Family.GPT2, tok.vocabSize(), 32, 2, 4, 4, 128, 64, 1e-5f, 0f, true, true,
                    "gelu", -1, 0, "gpt2");
            model = LanguageModel.initialize("tiny-test", cfg, tok, 7, Device.cpu());
        }
        return model;
    }

    /**
     * A LoRA candidate numbered {@code version}. With {@code noise} 0 it equals the base model; otherwise its
     * B factors get Gaussian noise of that scale, which changes (and usually ruins) the model's outputs.
     */
    public static Adapter candidate(LanguageModel m, long version, float noise) {
        try (Adapter fresh = Adapter.create(m, new AdapterSpec.Lora(2, 4f, List.of("c_attn")), "test", version)) {
            Adapter a = fresh.copy(fresh.manifest().nextVersion(version, "test", Map.of("loss", 1.0 / version), null));
            if (noise != 0) {
                // Seeded here rather than through DJL's global generator, so every run sees the same candidate.
                SplittableRandom rng = new SplittableRandom(version);
                for (Map.Entry<String, NDArray> e : a.tensors().entrySet()) {
                    if (e.getKey().endsWith("lora_B.weight")) {
                        float[] v = new float[(int) e.getValue().getShape().size()];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = (float) (rng.nextGaussian() * noise);
                        }
                        try (NDArray n = a.manager().create(v, e.getValue().getShape())) {
                            e.getValue().addi(n);
                        }
                    }
                }
            }
            return a;
        }
    }
}
