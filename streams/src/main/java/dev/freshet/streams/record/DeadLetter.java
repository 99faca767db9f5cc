package dev.freshet.streams.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record Freshet could not use, with where it came from and why it was refused. It is produced,
 * byte for byte, to the dead-letter topic, with the rest carried in headers, so it can be inspected
 * and replayed.
 *
 * <p>The value array is not copied; treat it as read-only.
 *
 * @param sourceTopic the topic the record was read from
 * @param partition its partition there
 * @param offset its offset there
 * @param key its key as received; may be {@code null}
 * @param value its value as received, unparsed; may be {@code null} (a tombstone)
 * @param reason why it was refused
 * @param detail a human-readable explanation naming the field
 */
public record DeadLetter(
        String sourceTopic, int partition, long offset, String key, byte[] value, Reason reason, String detail) {

    /** @throws IllegalArgumentException if the position is negative or a required field is missing */
    public DeadLetter {
        Texts.requireText(sourceTopic, "sourceTopic");
        Texts.requireNonNull(reason, "reason");
        Texts.requireNonNull(detail, "detail");
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be >= 0, got " + partition + " and " + offset);
        }
    }

    /** The dead letter of a record at a source position, refused for {@code rejection}. */
    public static DeadLetter of(
            String sourceTopic, int partition, long offset, String key, byte[] value, Rejection rejection) {
        return new DeadLetter(sourceTopic, partition, offset, key, value, rejection.reason(), rejection.detail());
    }

    // Records compare arrays by identity; compare the bytes instead.
    @Override
    public boolean equals(Object other) {
        return other instanceof DeadLetter that
                && sourceTopic.equals(that.sourceTopic)
                && partition == that.partition
                && offset == that.offset
                && Objects.equals(key, that.key)
                && Arrays.equals(value, that.value)
                && reason == that.reason
                && detail.equals(that.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceTopic, partition, offset, key, Arrays.hashCode(value), reason, detail);
    }

    @Override
    public String toString() {
        return "DeadLetter[" + sourceTopic + "-" + partition + "@" + offset + ", key=" + key
                + ", value=" + (value == null ? "null" : value.length + " bytes") + ", " + reason.headerValue() + ": " + detail + "]";
    }
}
