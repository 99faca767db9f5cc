package dev.freshet.streams.record;

import java.util.Locale;
import java.util.Optional;

/**
 * Why a record was refused and sent to the dead-letter topic.
 *
 * <p>Each constant has a stable lowercase {@linkplain #headerValue() header value} that is written
 * into the {@code freshet.reason} header of a dead letter. Header values are part of the wire
 * contract: dashboards and replay tools match on them, so a constant may be added but never renamed.
 */
public enum Reason {
    /** The value is not valid UTF-8, is empty, or is not parsable JSON. */
    MALFORMED_JSON,
    /** A required field is absent or JSON {@code null}. */
    MISSING_FIELD,
    /** The JSON is well formed but is not an object, or a field has the wrong type or form. */
    UNKNOWN_SCHEMA,
    /** A text field (text, prompt, target, paraphrase, neighbor, id) is empty or blank. */
    EMPTY_TEXT,
    /** A text field is longer than the configured limit. */
    TOO_LARGE,
    /** The Kafka key is not a valid tenant id, or disagrees with the tenant inside the value. */
    INVALID_TENANT,
    /** Training on the record produced a NaN or infinite loss. */
    NAN_LOSS,
    /** Anything else that went wrong while processing a record that decoded fine. */
    PROCESSING_FAILED,
    /**
     * The record was learned into an adapter version that the quality gate then refused, so it is not served; the
     * detail carries the verdict. Producing it again retrains it (on its own, or with a looser gate).
     */
    GATE_REJECTED;

    private final String headerValue = name().toLowerCase(Locale.ROOT);

    /** The stable lowercase form written into dead-letter headers, e.g. {@code "malformed_json"}. */
    public String headerValue() {
        return headerValue;
    }

    /** The reason whose {@link #headerValue()} is {@code value}, if any. */
    public static Optional<Reason> fromHeaderValue(String value) {
        for (Reason reason : values()) {
            if (reason.headerValue.equals(value)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }
}
