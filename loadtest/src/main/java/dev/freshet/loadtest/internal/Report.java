package dev.freshet.loadtest.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.loadtest.Outcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Ends a scenario the same way each time: prints its table, writes {@code <scenario>.json} (the settings,
 * the figures, every raw measurement, {@code completed} and {@code failures}) and {@code <scenario>.png}
 * into the output folder, and says where they are.
 */
public final class Report {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {}

    public static ObjectNode newJson(String scenario) {
        ObjectNode o = JSON.createObjectNode();
        o.put("scenario", scenario);
        o.put("started_at", Instant.now().toString());
        return o;
    }

    public static Outcome finish(String scenario, ObjectNode json, String table, List<String> failures, Plot plot, Path outDir,
            PrintStream out) throws IOException {
        Files.createDirectories(outDir);
        json.put("finished_at", Instant.now().toString());
        json.put("completed", true);
        json.put("passed", failures.isEmpty());
        ArrayNode f = json.putArray("failures");
        failures.forEach(f::add);
        json.put("table", table);
        Path jsonFile = outDir.resolve(scenario + ".json");
        JSON.writeValue(jsonFile.toFile(), json);
        Path png = null;
        if (plot != null) {
            png = outDir.resolve(scenario + ".png");
            plot.write(png);
        }
        out.println();
        out.print(table);
        failures.forEach(line -> out.println("FAILED: " + line));
        out.printf("%s: %s; wrote %s%s%n", scenario, failures.isEmpty() ? "passed" : "failed", jsonFile, png == null ? "" : " and " + png);
        return new Outcome(scenario, failures, table, jsonFile, png);
    }
}
