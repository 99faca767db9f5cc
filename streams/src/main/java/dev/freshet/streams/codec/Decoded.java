package dev.freshet.streams.codec;

import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.util.Objects;

/**
 * The outcome of decoding one Kafka record: either a valid record with its tenant, or the reason it
 * was refused. Decoding never throws for bad input; use {@code instanceof} patterns to branch:
 *
 * <pre>{@code
 * Decoded<DocumentRecord> decoded = codec.decodeDocument(key, value);
 * if (decoded instanceof Decoded.Accepted<DocumentRecord> ok) {
 *     train(ok.tenant(), ok.value());
 * } else if (decoded instanceof Decoded.Rejected<DocumentRecord> no) {
 *     deadLetters.publish(record, no.rejection());
 * }
 * }</pre>
 *
 * @param <T> the record type
 */
public sealed interface Decoded<T> permits Decoded.Accepted, Decoded.Rejected {

    /**
     * A record that passed every check.
     *
     * @param tenant the tenant named by the Kafka key
     * @param value the record
     */
    record Accepted<T>(TenantId tenant, T value) implements Decoded<T> {
        /** Both parts are required. */
        public Accepted {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A record that was refused.
     *
     * @param reason the category, which becomes the dead letter's {@code freshet.reason} header
     * @param detail what was wrong, naming the field
     */
    record Rejected<T>(Reason reason, String detail) implements Decoded<T> {
        /** Both parts are required. */
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        /** The same refusal as a {@link Rejection} value. */
        public Rejection rejection() {
            return new Rejection(reason, detail);
        }

        /** The refusal {@code rejection} as a decoding outcome. */
        public static <T> Rejected<T> of(Rejection rejection) {
            return new Rejected<>(rejection.reason(), rejection.detail());
        }
    }

    /** Whether this is an {@link Accepted}. */
    default boolean isAccepted() {
        return this instanceof Accepted;
    }
}
