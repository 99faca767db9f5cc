package dev.freshet.streams.record;

import java.util.regex.Pattern;

/**
 * A tenant: the unit of isolation in Freshet. Every document, edit and adapter version belongs to
 * exactly one tenant, and the tenant is the Kafka key of every record on Freshet's topics.
 *
 * <p>A tenant id matches {@code [a-z0-9][a-z0-9_-]{0,63}}: lowercase, 1 to 64 characters, safe
 * as a Kafka key, a file name, a URL path segment and a metric label without escaping.
 *
 * @param value the validated id
 */
public record TenantId(String value) {

    // Declared before DEFAULT: static fields initialise in order, and DEFAULT's constructor uses it.
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /** The tenant of records produced without a key. */
    public static final TenantId DEFAULT = new TenantId("default");

    /** @throws InvalidRecordException with {@link Reason#INVALID_TENANT} if {@code value} is not a valid id */
    public TenantId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new InvalidRecordException(Reason.INVALID_TENANT, describe(value));
        }
    }

    /**
     * The tenant named by a Kafka record key; a {@code null} key means {@link #DEFAULT}.
     *
     * @throws InvalidRecordException carrying a {@link Reason#INVALID_TENANT} rejection if the key
     *     is not a valid tenant id (the codec turns it into a {@code Rejected} value)
     */
    public static TenantId fromKey(String key) {
        return key == null ? DEFAULT : new TenantId(key);
    }

    /** Whether {@code value} is a valid tenant id, for callers that only need a yes or no. */
    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }

    private static String describe(String value) {
        if (value == null) {
            return "tenant id is missing";
        }
        // Quote at most 80 characters: the detail goes into a Kafka header and a log line.
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "tenant id '" + shown + "' must match [a-z0-9][a-z0-9_-]{0,63}"
                + " (lowercase letters, digits, '_' and '-', at most 64 characters)";
    }
}
