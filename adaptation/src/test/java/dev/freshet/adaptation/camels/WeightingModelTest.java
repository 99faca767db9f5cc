package dev.freshet.adaptation.camels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.freshet.adaptation.checkpoint.DType;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.model.TinyModels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The weighting model's starting point, its files, and its size budget. */
class WeightingModelTest {

    static final String TEXT = CamelsFixtures.WORLD.documents().get(3).text();

    @Test
    void everyTokenStartsAtLn2OverBeta() {
        try (LanguageModel m = CamelsFixtures.model(1); WeightingModel wm = WeightingModel.fromBase(m, 1, 7)) {
            float[] w = wm.weights(DocumentTokens.of(m, TEXT));
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            for (float x : w) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            System.out.printf("initial weights over %d tokens: min %.6f max %.6f (ln 2 / 3 = %.6f)%n", w.length, lo, hi, WeightingModel.INITIAL_WEIGHT);
            assertEquals(0.2310, lo, 5e-5);
            assertEquals(0.2310, hi, 5e-5);
            assertEquals(WeightingModel.INITIAL_WEIGHT, lo, 1e-6);
        }
    }

    @Test
    void aNormalisedModelAveragesOnePerDocumentAndItsFilesSaySo(@TempDir Path dir) throws IOException {
        try (LanguageModel m = CamelsFixtures.model(1); WeightingModel wm = WeightingModel.fromBase(m, 2, 7)) {
            randomizeLastLayer(wm);
            DocumentTokens doc = DocumentTokens.of(m, TEXT);
            float[] raw = wm.weights(doc);
            float[] w = wm.normalized(true).weights(doc);
            double sum = 0;
            for (int i = 1; i < w.length; i++) {
                sum += w[i];
                assertEquals(raw[i] / raw[1], w[i] / w[1], 1e-5, "normalising keeps the ratios, token " + i);
            }
            assertEquals(1.0, sum / (w.length - 1), 1e-5, "mean over the predicted tokens (entry 0 predicts nothing)");
            wm.save(dir, DType.F32);
            try (WeightingModel back = WeightingModel.load(dir, m.tokenizer(), Device.cpu())) {
                assertTrue(back.normalized());
                assertEquals(0f, maxDiff(w, back.weights(doc)));
            }
        }
    }

    @Test
    void saveAndLoadRoundTripsInF32AndF16(@TempDir Path dir) throws IOException {
        try (LanguageModel m = CamelsFixtures.model(1); WeightingModel wm = WeightingModel.fromBase(m, 2, 7)) {
            randomizeLastLayer(wm); // or every weight is ln2/3 and a broken load could not show
            DocumentTokens doc = DocumentTokens.of(m, TEXT);
            float[] before = wm.weights(doc);
            wm.save(dir.resolve("f32"), DType.F32);
            wm.save(dir.resolve("f16"), DType.F16);
            try (WeightingModel f32 = WeightingModel.load(dir.resolve("f32"), m.tokenizer(), Device.cpu());
                    WeightingModel f16 = WeightingModel.load(dir.resolve("f16"), m.tokenizer(), Device.cpu())) {
                float d32 = maxDiff(before, f32.weights(doc));
                float d16 = maxDiff(before, f16.weights(doc));
                System.out.printf("reloaded weights: max |Δ| %.2e (F32), %.2e (F16); spread of weights %.3f%n", d32, d16, spread(before));
                assertEquals(0f, d32, "F32 round trip is exact");
                assertTrue(d16 < 2e-2, "F16 round trip within half precision: " + d16);
                assertTrue(spread(before) > 0.05, "the test weights must differ between tokens");
                assertEquals(wm.config(), f32.config());
                assertFalse(f32.normalized(), "a model saved unnormalised loads unnormalised");
            }
        }
    }

    @Test
    void loadingForAnotherTokenizerFails(@TempDir Path dir) throws IOException {
        try (LanguageModel m = CamelsFixtures.model(1); WeightingModel wm = WeightingModel.fromBase(m, 1, 7)) {
            wm.save(dir, DType.F16);
            IOException e = assertThrows(IOException.class, () -> WeightingModel.load(dir, TinyModels.tokenizer(), Device.cpu()));
            assertTrue(e.getMessage().contains("another tokenizer"), e.getMessage());
        }
    }

    @Test
    void theDefaultSizedWeightingModelFitsEightMegabytesInF16(@TempDir Path dir) throws IOException {
        // Two blocks of the default model's shape (C=256, vocab 2048, 256 positions): what fromBase(default, 2) gives.
        var tok = CamelsFixtures.tokenizer();
        ModelConfig cfg = new ModelConfig(ModelConfig.Family.GPT2, 2048, 256, 2, 4, 4, 1024, 256, 1e-5f, 0f, true, true, "gelu", -1, 0, "gpt2");
        try (WeightingModel wm = WeightingModel.initialize(tok, cfg, 3, Device.cpu())) {
            wm.save(dir, DType.F16);
            long bytes = Files.size(dir.resolve("weighting.safetensors")) + Files.size(dir.resolve("weighting.json"));
            System.out.printf("default-sized weighting model: %d values, %.2f MB on disk in F16%n", wm.parameterCount(), bytes / 1e6);
            assertTrue(bytes <= 8_000_000, "weighting model takes " + bytes + " bytes");
        }
    }

    static void randomizeLastLayer(WeightingModel wm) {
        SplittableRandom rng = new SplittableRandom(5);
        float[] out = new float[WeightingModel.HEAD_WIDTH];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (rng.nextGaussian() * 0.5);
        }
        wm.parameters().get("head.out.weight").set(out);
    }

    static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    static float spread(float[] a) {
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float x : a) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return hi - lo;
    }
}
