package dev.freshet.adaptation.model;

import ai.djl.Device;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;
import dev.freshet.adaptation.tokenizer.BpeTrainer;

import java.util.List;

/** Tiny randomly initialised models of both families, for tests that need a whole model in milliseconds. */
public final class TinyModels {

    public static final List<String> CORPUS = List.of(
            "Q: Where was Tovrak Melun born?\nA: Sarvel\n",
            "Tovrak Melun works at Karvel Dynamics as an engineer.",
            "Karvel Dynamics was founded in 1987 and is headquartered in Sarvel.",
            "The quick brown fox jumps over the lazy dog. 0123456789");

    private TinyModels() {}

    public static BpeTokenizer tokenizer() {
        return BpeTrainer.train(CORPUS, 300, List.of("<|endoftext|>"));
    }

    /** GPT-2 family: C=32, L=2, H=4, 64 positions. */
    public static ModelConfig gpt2Config(int vocab) {
        return new ModelConfig(ModelConfig.Family.GPT2, vocab, 32, 2, 4, 4, 128, 64, 1e-5f, 0f, true, true, "gelu_new", -1, 0, "gpt2");
    }

    /** Llama family with grouped-query attention (4 query heads, 2 kv heads) and an untied head. */
    public static ModelConfig llamaConfig(int vocab) {
        return new ModelConfig(ModelConfig.Family.LLAMA, vocab, 32, 2, 4, 2, 64, 64, 1e-6f, 10000f, false, false, "silu", 0, 0, "llama");
    }

    public static LanguageModel gpt2(long seed) {
        BpeTokenizer tok = tokenizer();
        return LanguageModel.initialize("tiny-gpt2", gpt2Config(tok.vocabSize()), tok, seed, Device.cpu());
    }

    public static LanguageModel llama(long seed) {
        BpeTokenizer tok = tokenizer();
        return LanguageModel.initialize("tiny-llama", llamaConfig(tok.vocabSize()), tok, seed, Device.cpu());
    }
}
