package dev.freshet.adaptation.editing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EditSettingsTest {

    @Test
    void defaultsAreLocFtsReferenceValues() {
        EditSettings d = EditSettings.DEFAULTS;
        assertEquals(5e-4f, d.learningRate());
        assertEquals(25, d.maxEpochs());
        assertEquals(0.01f, d.skipLoss());
        assertEquals(0.01f, d.stopLoss());
    }

    @Test
    void rejectsInvalidValues() {
        EditSettings d = EditSettings.DEFAULTS;
        assertThrows(IllegalArgumentException.class, () -> d.withLearningRate(0f));
        assertThrows(IllegalArgumentException.class, () -> d.withLearningRate(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> d.withBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxEpochs(0));
        assertThrows(IllegalArgumentException.class, () -> d.withThresholds(-0.1f, 0.01f));
        assertThrows(IllegalArgumentException.class, () -> d.withThresholds(0.01f, Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> d.withReplay(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxStepsPerEdit(0));
        assertThrows(IllegalArgumentException.class, () -> EditOrder.parse("sideways"));
    }
}
