package dev.freshet.streams.record;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;

/**
 * Where the weights of an adapter version are: inside the event itself, or in a store the event
 * points to. Small adapters travel inline so a consumer needs nothing but Kafka; large ones are
 * stored elsewhere because a Kafka record should stay well under a few megabytes.
 */
public sealed interface WeightsLocation {

    /**
     * Weights carried in the event as a safetensors file.
     *
     * <p>The array is not copied (adapters can be megabytes); treat it as read-only.
     *
     * @param safetensors the bytes of a complete safetensors file; never empty
     */
    record Inline(byte[] safetensors) implements WeightsLocation {

        /** @throws InvalidRecordException if the bytes are missing or empty */
        public Inline {
            Texts.requireNonNull(safetensors, "weights.inline");
            if (safetensors.length == 0) {
                throw new InvalidRecordException(Reason.EMPTY_TEXT, "field 'weights.inline' is empty");
            }
        }

        // A record compares arrays by identity; two events with the same weights must be equal.
        @Override
        public boolean equals(Object other) {
            return other instanceof Inline that && Arrays.equals(safetensors, that.safetensors);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(safetensors);
        }

        @Override
        public String toString() {
            return "Inline[" + safetensors.length + " bytes]";
        }
    }

    /**
     * Weights stored outside Kafka.
     *
     * @param uri where to fetch the safetensors file, e.g. {@code file:///var/lib/freshet/a/7.safetensors}
     *     or {@code s3://bucket/a/7.safetensors}; an absolute URI
     */
    record Stored(String uri) implements WeightsLocation {

        /** @throws InvalidRecordException if the URI is missing, blank, not a URI or not absolute */
        public Stored {
            Texts.requireText(uri, "weights.uri");
            try {
                if (!new URI(uri).isAbsolute()) {
                    throw new InvalidRecordException(Reason.UNKNOWN_SCHEMA,
                            "field 'weights.uri' must be an absolute URI with a scheme, got '" + uri + "'");
                }
            } catch (URISyntaxException e) {
                throw new InvalidRecordException(Reason.UNKNOWN_SCHEMA,
                        "field 'weights.uri' is not a valid URI: " + e.getMessage());
            }
        }
    }
}
