package dev.freshet.server.app;

import java.util.Arrays;
import java.util.Locale;

/**
 * What one Freshet process does ({@code serve --role}). Scaling out runs on Kafka alone: trainers share the
 * documents and edits partitions in one consumer group (key = tenant, so a partition's owner trains its
 * tenants), and every process follows the compacted adapters topic, so servers serve every tenant's latest
 * version and a trainer that gains a tenant has its versions already.
 */
public enum Role {
    /** Train and serve: one process does everything (the default). */
    ALL,
    /** Train and announce versions; the HTTP API stays up for health, metrics and ingest. */
    TRAINER,
    /** Serve only: follow the adapters topic, never consume documents or edits. */
    SERVER;

    public boolean trains() {
        return this != SERVER;
    }

    /** The name on the command line. */
    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the valid roles */
    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.flag().equals(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("--role must be one of " + Arrays.stream(values()).map(Role::flag).toList() + ", got '" + s + "'");
    }
}
