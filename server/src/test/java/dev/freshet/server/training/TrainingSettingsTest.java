package dev.freshet.server.training;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.ModelConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Invalid settings are refused at the edge, naming the configuration key. */
class TrainingSettingsTest {

    private static final TrainingSettings OK = TrainingSettings.defaults(ModelConfig.Family.GPT2);

    @Test
    void eachInvalidValueNamesItsKey() {
        assertKey("training.batch.max-records", () -> OK.withBatching(0, Duration.ofMillis(1), 8));
        assertKey("training.batch.max-delay", () -> OK.withBatching(4, Duration.ZERO, 8));
        assertKey("training.queue.capacity", () -> OK.withBatching(16, Duration.ofMillis(1), 8));
        assertKey("training.lr", () -> OK.withSchedule(Float.NaN, 1, 1));
        assertKey("training.edits.epochs", () -> OK.withSchedule(1e-3f, 1, 0));
        assertKey("training.edits.lr", () -> OK.withEditLearningRate(0f));
    }

    private static void assertKey(String key, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().startsWith(key), e.getMessage());
    }
}
