package dev.freshet.server.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code serve}'s configuration in three layers, later wins: a properties file ({@code --config FILE}, or
 * the {@code FRESHET_CONFIG} environment variable), then {@code FRESHET_*} environment variables, then
 * command-line flags. One set of names everywhere: a file key is the flag's name ({@code http-port=8080}),
 * an environment variable is the same name upper-cased with {@code _} for {@code -}
 * ({@code FRESHET_HTTP_PORT=8080}). Kafka client properties pass through to every Kafka client as given:
 * {@code kafka.security.protocol=SASL_SSL} in the file, or {@code FRESHET_KAFKA_CLIENT_SECURITY_PROTOCOL}
 * (lower-cased, {@code _} becomes {@code .}) in the environment.
 *
 * <p>A file key that names no option is an error, so a typo never falls back to a default silently;
 * environment variables that name no option are ignored, because the environment is shared.
 */
final class ConfigLayers {

    static final String KAFKA_PREFIX = "kafka.";
    private static final String ENV_PREFIX = "FRESHET_";
    private static final String ENV_KAFKA_PREFIX = "FRESHET_KAFKA_CLIENT_";

    private ConfigLayers() {}

    /**
     * @param flags the parsed command line
     * @param env the process environment
     * @param valued the command's options that take a value
     * @param flagOptions the command's options that take none ({@code true}/{@code false} in a file or variable)
     */
    static Args resolve(Args flags, Map<String, String> env, Set<String> valued, Set<String> flagOptions) throws IOException {
        Map<String, String> lower = new TreeMap<>();
        String file = flags.get("config", env.get(ENV_PREFIX + "CONFIG"));
        if (file != null) {
            lower.putAll(readFile(Path.of(file), valued, flagOptions));
        }
        lower.putAll(fromEnvironment(env, valued, flagOptions));
        return flags.over(lower);
    }

    static Map<String, String> readFile(Path file, Set<String> valued, Set<String> flagOptions) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new Args.UsageException("--config " + file + ": no such file");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> out = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).trim();
            if (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length()) {
                out.put(key, value);
            } else if (key.equals("config")) {
                throw new Args.UsageException(file + ": a configuration file cannot name another ('config')");
            } else if (valued.contains(key)) {
                out.put(key, value);
            } else if (flagOptions.contains(key)) {
                putFlag(out, key, value, file + ": '" + key + "'");
            } else {
                throw new Args.UsageException(file + ": unknown key '" + key + "' (keys are the option names without '--', e.g. http-port,"
                        + " or kafka.<client property>)");
            }
        }
        return out;
    }

    static Map<String, String> fromEnvironment(Map<String, String> env, Set<String> valued, Set<String> flagOptions) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_KAFKA_PREFIX) && name.length() > ENV_KAFKA_PREFIX.length()) {
                out.put(KAFKA_PREFIX + name.substring(ENV_KAFKA_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            } else if (name.startsWith(ENV_PREFIX)) {
                String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
                if (valued.contains(key) && !key.equals("config")) {
                    out.put(key, value);
                } else if (flagOptions.contains(key)) {
                    putFlag(out, key, value, "environment variable " + name);
                }
            }
        });
        return out;
    }

    private static void putFlag(Map<String, String> out, String key, String value, String where) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> out.put(key, "true");
            case "false", "no", "0", "" -> { } // absent is false
            default -> throw new Args.UsageException(where + " must be true or false, got '" + value + "'");
        }
    }
}
