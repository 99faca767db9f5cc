package dev.freshet.loadtest;

import java.nio.file.Path;
import java.util.List;

/**
 * What a scenario ended with: whether it passed its own checks (every record served; for the soak, memory
 * flat too), the table it printed, and the files it wrote.
 *
 * @param failures one line per failed check; empty when passed
 * @param png the plot, or null for a scenario without a time axis
 */
public record Outcome(String scenario, List<String> failures, String table, Path json, Path png) {

    public Outcome {
        failures = List.copyOf(failures);
    }

    public boolean passed() {
        return failures.isEmpty();
    }
}
