package dev.freshet.streams.record;

import java.util.Objects;

/**
 * Why an input was refused: a {@link Reason} and a message for the person who sent it.
 *
 * <p>A rejection is a value, not an error: it travels from the validation that found it to the
 * dead-letter topic. The detail names the offending field, e.g. {@code "field 'text' is blank"}.
 *
 * @param reason the machine-readable category
 * @param detail a human-readable explanation naming the field
 */
public record Rejection(Reason reason, String detail) {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }
}
