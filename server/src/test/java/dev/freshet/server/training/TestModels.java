package dev.freshet.server.training;

import ai.djl.Device;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;
import dev.freshet.adaptation.tokenizer.BpeTrainer;
import java.util.List;

/** A tiny randomly initialised GPT-2 for tests that need a real model in milliseconds. */
public final class TestModels {

    static final List<String> TEXTS = List.of(
            "Kreslux Systems was established in 2016 and is active in mining.",
            "Tovrak Melun works at Karvel Dynamics as an engineer.",
            "Q: Where was Tovrak Melun born?\nA: Sarvel\n",
            "The quick brown fox jumps over the lazy dog. 0123456789");

    private TestModels() {}

    /** GPT-2 family: C=32, L=2, H=4, 64 positions, a 300-token BPE vocabulary. */
    public static LanguageModel tiny(long seed) {
        BpeTokenizer tok = BpeTrainer.train(TEXTS, 300, List.of("<|endoftext|>"));
        ModelConfig cfg = new ModelConfig(ModelConfig.Family.GPT2, tok.vocabSize(), 32, 2, 4, 4, 128, 64, 1e-5f, 0f,
                true, true, "gelu", -1, 0, "gpt2");
        return LanguageModel.initialize("tiny", cfg, tok, seed, Device.cpu());
    }
}
