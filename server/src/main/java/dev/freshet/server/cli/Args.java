package dev.freshet.server.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of one subcommand: {@code --name value} pairs, {@code --flag}s and positional words.
 * Unknown options are an error naming the option, so a typo never silently falls back to a default.
 */
final class Args {

    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args() {}

    /**
     * @param valued options that take a value
     * @param flags options that take none
     */
    static Args parse(String[] argv, int from, Set<String> valued, Set<String> flags) {
        Args a = new Args();
        for (int i = from; i < argv.length; i++) {
            String s = argv[i];
            if (s.startsWith("--")) {
                String name = s.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    a.values.put(name, "true");
                } else if (valued.contains(name)) {
                    if (inline == null) {
                        if (i + 1 >= argv.length) {
                            throw new UsageException("option --" + name + " needs a value");
                        }
                        inline = argv[++i];
                    }
                    a.values.put(name, inline);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    /**
     * These options over {@code lower}: a value given here wins, anything else comes from {@code lower}
     * (a configuration file and environment, already checked by the caller).
     */
    Args over(Map<String, String> lower) {
        Args a = new Args();
        a.values.putAll(lower);
        a.values.putAll(values);
        a.positional.addAll(positional);
        return a;
    }

    /** Every option whose name starts with {@code prefix}, the prefix removed (e.g. {@code kafka.} pass-through properties). */
    Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new java.util.TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("missing required option --" + name);
        }
        return v;
    }

    int getInt(String name, int dflt) {
        return parsed(name, dflt, Integer::parseInt, "an integer");
    }

    long getLong(String name, long dflt) {
        return parsed(name, dflt, Long::parseLong, "an integer");
    }

    float getFloat(String name, float dflt) {
        return parsed(name, dflt, Float::parseFloat, "a number");
    }

    double getDouble(String name, double dflt) {
        return parsed(name, dflt, Double::parseDouble, "a number");
    }

    private <T> T parsed(String name, T dflt, java.util.function.Function<String, T> parse, String what) {
        String v = values.get(name);
        try {
            return v == null ? dflt : parse.apply(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be " + what + ", got '" + v + "'");
        }
    }

    List<String> positional() {
        return positional;
    }

    /** A mistake in how a command was called: printed with the command's usage, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
