package dev.freshet.streams.kafka;

import dev.freshet.streams.record.DeadLetter;
import dev.freshet.streams.record.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a dead-letter record: the wire contract between the publisher and whoever reads
 * the dead-letter topic (dashboards, replay tools). All values are UTF-8 text; numbers are decimal.
 */
public final class DeadLetterHeaders {

    /** {@link Reason#headerValue()}, e.g. {@code malformed_json}. */
    public static final String REASON = "freshet.reason";
    /** What was wrong, naming the field; cut to {@value #MAX_DETAIL_CHARS} characters. */
    public static final String DETAIL = "freshet.detail";
    /** The topic the record was read from. */
    public static final String SOURCE_TOPIC = "freshet.source.topic";
    /** Its partition there. */
    public static final String SOURCE_PARTITION = "freshet.source.partition";
    /** Its offset there; with topic and partition, it identifies a record that was dead-lettered twice. */
    public static final String SOURCE_OFFSET = "freshet.source.offset";

    /** A bound on header size: the original value may already be close to the broker's record limit. */
    static final int MAX_DETAIL_CHARS = 1000;

    private DeadLetterHeaders() {}

    /** The headers describing {@code letter}. */
    public static Headers of(DeadLetter letter) {
        String detail = letter.detail().length() > MAX_DETAIL_CHARS
                ? letter.detail().substring(0, MAX_DETAIL_CHARS - 3) + "..."
                : letter.detail();
        return new RecordHeaders()
                .add(REASON, utf8(letter.reason().headerValue()))
                .add(DETAIL, utf8(detail))
                .add(SOURCE_TOPIC, utf8(letter.sourceTopic()))
                .add(SOURCE_PARTITION, utf8(Integer.toString(letter.partition())))
                .add(SOURCE_OFFSET, utf8(Long.toString(letter.offset())));
    }

    /**
     * Reads a record from the dead-letter topic back into a {@link DeadLetter}; empty if a header is
     * missing or unreadable (the record was not written by {@link DeadLetterPublisher}).
     */
    public static Optional<DeadLetter> read(ConsumerRecord<String, byte[]> record) {
        Headers headers = record.headers();
        Optional<Reason> reason = text(headers, REASON).flatMap(Reason::fromHeaderValue);
        Optional<String> detail = text(headers, DETAIL);
        Optional<String> topic = text(headers, SOURCE_TOPIC);
        Optional<String> partition = text(headers, SOURCE_PARTITION);
        Optional<String> offset = text(headers, SOURCE_OFFSET);
        if (reason.isEmpty() || detail.isEmpty() || topic.isEmpty() || partition.isEmpty() || offset.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DeadLetter(topic.get(), Integer.parseInt(partition.get()), Long.parseLong(offset.get()),
                    record.key(), record.value(), reason.get(), detail.get()));
        } catch (IllegalArgumentException e) { // a number that does not parse, or a negative one
            return Optional.empty();
        }
    }

    private static Optional<String> text(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null
                ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
