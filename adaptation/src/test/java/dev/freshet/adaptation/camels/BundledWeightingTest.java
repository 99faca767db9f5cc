package dev.freshet.adaptation.camels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.TinyModels;

import java.io.IOException;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The bundled weighting model: small, meta-trained for the bundled base only, and not the untrained one. */
class BundledWeightingTest {

    @Test
    void isBundledSmallAndRecordsAValidationWinOverUniform() throws Exception {
        assertTrue(BundledWeighting.present(), "the jar must bundle a meta-trained weighting model");
        long bytes = BundledWeighting.class.getResource(BundledWeighting.RESOURCE + "weighting.safetensors").openConnection().getContentLengthLong();
        assertTrue(bytes <= 8L << 20, "bundled weighting model is " + bytes + " bytes, over 8 MB");
        JsonObject v = BundledWeighting.provenance().getAsJsonObject("validation");
        assertTrue(v.get("camels").getAsDouble() < v.get("uniform").getAsDouble(), "bundled model does not beat uniform weights: " + v);
    }

    @Test
    void isOfferedForTheBundledBaseAndWeightsTokensUnevenly() throws Exception {
        try (LanguageModel base = LanguageModel.loadDefault(Device.cpu())) {
            assertTrue(BundledWeighting.fits(base));
            Optional<WeightingModel> w = BundledWeighting.openFor(base);
            assertTrue(w.isPresent());
            try (WeightingModel camels = w.get()) {
                float[] weights = camels.weights(DocumentTokens.of(base, "Kaxzek Kukpum, an engineer, was born in Losax in 1987."));
                float min = Float.MAX_VALUE;
                float max = 0;
                for (int i = 1; i < weights.length; i++) {
                    min = Math.min(min, weights[i]);
                    max = Math.max(max, weights[i]);
                }
                // An untrained model gives every token ln 2 / 3; a meta-trained one tells tokens apart.
                assertTrue(max - min > 0.05, "weights span only " + min + ".." + max);
            }
        }
    }

    @Test
    void isNotOfferedForAnotherBase() throws Exception {
        try (LanguageModel tiny = TinyModels.gpt2(3)) {
            assertFalse(BundledWeighting.fits(tiny));
            assertTrue(BundledWeighting.openFor(tiny).isEmpty());
            assertThrows(IOException.class, () -> TokenWeightings.camelsModel(tiny, null), "camels needs a weighting model trained for its base");
        }
    }
}
