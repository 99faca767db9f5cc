package dev.freshet.loadtest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which soaks are long enough to be judged on memory. */
class SoakScenarioTest {

    @Test
    void onlyRunsPastWarmUpAreJudgedOnMemory() {
        assertTrue(SoakScenario.judgesMemory(SoakScenario.Settings.defaults()), "the 30-minute soak is judged");
        assertFalse(SoakScenario.judgesMemory(SoakScenario.Settings.quick()), "2.5 minutes end inside warm-up");
        assertFalse(SoakScenario.judgesMemory(SoakScenario.Settings.quick().withLength(Duration.ofMinutes(8))));
        assertTrue(SoakScenario.judgesMemory(SoakScenario.Settings.quick().withLength(SoakScenario.MEMORY_JUDGED_FROM)));
    }
}
