package dev.freshet.adaptation.camels;

import ai.djl.Device;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.tokenizer.BpeTokenizer;
import dev.freshet.adaptation.tokenizer.BpeTrainer;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;

import java.util.ArrayList;
import java.util.List;

/**
 * A TINY world and a tiny GPT-2 whose tokenizer was fitted to it, so documents and questions fit its context:
 * the test-sized stand-in for the default model (TinyModels' tokenizer spells world text byte by byte).
 */
final class CamelsFixtures {

    static final World WORLD = World.generate(7, WorldSize.TINY);
    private static BpeTokenizer tokenizer;

    private CamelsFixtures() {}

    static synchronized BpeTokenizer tokenizer() {
        if (tokenizer == null) {
            List<String> texts = new ArrayList<>(WORLD.pretrainingTexts());
            WORLD.documents().forEach(d -> texts.add(d.text()));
            tokenizer = BpeTrainer.train(texts, 512, List.of("<|endoftext|>"));
        }
        return tokenizer;
    }

    /** GPT-2 family, C=32, L=2, H=4, 256 positions, random weights from the seed. */
    static LanguageModel model(long seed) {
        BpeTokenizer tok = tokenizer();
        int eos = tok.idOf("<|endoftext|>").orElseThrow();
        ModelConfig cfg = new ModelConfig(ModelConfig.Family.GPT2, tok.vocabSize(), 32, 2, 4, 4, 128, 256, 1e-5f, 0f, true, true, "gelu",
                -1, eos, "gpt2");
        return LanguageModel.initialize("camels-tiny", cfg, tok, seed, Device.cpu());
    }

    /** A one-layer C=16 weighting model on the fixture tokenizer. */
    static WeightingModel weighting(long seed) {
        BpeTokenizer tok = tokenizer();
        ModelConfig cfg = new ModelConfig(ModelConfig.Family.GPT2, tok.vocabSize(), 16, 1, 2, 2, 64, 256, 1e-5f, 0f, true, true, "gelu",
                -1, tok.idOf("<|endoftext|>").orElseThrow(), "gpt2");
        return WeightingModel.initialize(tok, cfg, seed, Device.cpu());
    }
}
