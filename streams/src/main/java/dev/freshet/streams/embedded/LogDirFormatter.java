package dev.freshet.streams.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * Formats a KRaft log directory once, as {@code kafka-storage.sh format --standalone} would, so a
 * restart on the same directory finds its data, cluster id and voter set again.
 */
final class LogDirFormatter {

    private LogDirFormatter() {}

    /** Whether {@code logDir} already holds a formatted log (its {@code meta.properties}). */
    static boolean isFormatted(Path logDir) {
        return Files.isRegularFile(logDir.resolve("meta.properties"));
    }

    /** Writes {@code config} to {@code configFile}, the settings of the broker about to start. */
    static void writeConfig(Properties config, Path configFile) throws IOException {
        try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            config.store(out, "written by EmbeddedKafka: the settings of the last start");
        }
    }

    /**
     * Writes {@code config} to {@code configFile} (StorageTool reads its configuration from a file)
     * and formats the log directory with a new cluster id as a one-voter dynamic quorum.
     */
    static void format(Properties config, Path configFile) throws IOException {
        writeConfig(config, configFile);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            code = kafka.tools.StorageTool.execute(new String[] {
                "format",
                "--config", configFile.toString(),
                "--cluster-id", Uuid.randomUuid().toString(),
                "--standalone",
            }, print);
        } catch (RuntimeException e) { // StorageTool reports bad arguments by throwing
            throw new IOException("formatting " + configFile.getParent() + " failed: " + e.getMessage() + "\n" + output, e);
        }
        if (code != 0) {
            throw new IOException("formatting " + configFile.getParent() + " failed with code " + code + ":\n" + output);
        }
    }
}
