package dev.freshet.streams.kafka;

import dev.freshet.streams.codec.Decoded;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.internal.LineReader;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Produces a JSONL file of documents or edits to its topic, one record per line, for
 * {@code bin/freshet produce docs|edits --file F.jsonl [--tenant T]}.
 *
 * <p>Every line is validated with the {@link RecordCodec} first, exactly as the consumer will decode
 * it; only valid lines are produced (the original bytes, unchanged, keyed by the tenant), and the
 * invalid ones are reported by line number instead of reaching the dead-letter topic. Blank lines
 * are skipped. A send failure stops the run with an exception.
 */
public final class JsonlProducer {

    /** What a file holds, and so which topic it goes to. */
    public enum Kind {
        /** Documents, to {@link Topics#documents()}. */
        DOCUMENTS("docs"),
        /** Edits, to {@link Topics#edits()}. */
        EDITS("edits");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        /** The name on the command line: {@code docs} or {@code edits}. */
        public String cliName() {
            return cliName;
        }

        /** The kind named {@code name} on the command line. */
        public static Kind fromCliName(String name) {
            for (Kind kind : values()) {
                if (kind.cliName.equals(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("expected 'docs' or 'edits', got '" + name + "'");
        }
    }

    /**
     * A line that was not produced.
     *
     * @param lineNumber 1-based
     */
    public record RejectedLine(long lineNumber, Reason reason, String detail) {}

    /**
     * What a run did.
     *
     * @param topic where valid lines went
     * @param produced lines the broker acknowledged
     * @param rejected lines that failed validation
     * @param blank blank lines skipped
     * @param rejectedLines the first {@value JsonlProducer#MAX_REPORTED_LINES} rejected lines
     */
    public record Report(String topic, long produced, long rejected, long blank, List<RejectedLine> rejectedLines) {

        /** A one-paragraph summary for the command line. */
        public String summary() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "produced %d records to %s; rejected %d lines; skipped %d blank lines", produced, topic, rejected, blank));
            for (RejectedLine line : rejectedLines) {
                s.append(String.format(Locale.ROOT, "%n  line %d: %s: %s", line.lineNumber(), line.reason().headerValue(), line.detail()));
            }
            if (rejected > rejectedLines.size()) {
                s.append(String.format(Locale.ROOT, "%n  ... and %d more", rejected - rejectedLines.size()));
            }
            return s.toString();
        }
    }

    /** Rejected lines listed in a report; the count stays exact beyond it. */
    public static final int MAX_REPORTED_LINES = 1000;

    /** The broker's default record limit: a longer line could never be produced anyway. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

    private final Producer<String, byte[]> producer;
    private final RecordCodec codec;
    private final Topics topics;
    private final int maxLineBytes;

    /** Produces with {@code producer} (shared, not closed here) to {@code topics}. */
    public JsonlProducer(Producer<String, byte[]> producer, RecordCodec codec, Topics topics, int maxLineBytes) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.maxLineBytes = maxLineBytes;
    }

    /** As above, with lines of at most {@link #DEFAULT_MAX_LINE_BYTES}. */
    public JsonlProducer(Producer<String, byte[]> producer, RecordCodec codec, Topics topics) {
        this(producer, codec, topics, DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * Validates and produces every line of {@code file} as a record of {@code tenant}, then waits
     * until the broker has acknowledged them all.
     *
     * @throws IOException if the file cannot be read
     * @throws KafkaException if a record could not be produced
     */
    public Report produce(Path file, Kind kind, TenantId tenant) throws IOException {
        String topic = kind == Kind.DOCUMENTS ? topics.documents() : topics.edits();
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<RejectedLine> rejectedLines = new ArrayList<>();
        long rejected = 0;
        long blank = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            LineReader lines = new LineReader(in, maxLineBytes);
            for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                throwIfFailed(failure);
                Decoded<?> decoded = line.tooLong()
                        ? new Decoded.Rejected<>(Reason.TOO_LARGE, "line is longer than " + maxLineBytes + " bytes")
                        : validate(kind, tenant, line.bytes());
                if (decoded == null) {
                    blank++;
                } else if (decoded instanceof Decoded.Rejected<?> no) {
                    if (rejectedLines.size() < MAX_REPORTED_LINES) {
                        rejectedLines.add(new RejectedLine(line.number(), no.reason(), no.detail()));
                    }
                    rejected++;
                } else {
                    producer.send(new ProducerRecord<>(topic, tenant.value(), line.bytes()), (metadata, error) -> {
                        if (error != null) {
                            failure.compareAndSet(null, error);
                        } else {
                            acked.incrementAndGet();
                        }
                    });
                }
            }
        } finally {
            producer.flush(); // also on an I/O error, so whatever was sent is settled before we report
        }
        throwIfFailed(failure);
        return new Report(topic, acked.get(), rejected, blank, List.copyOf(rejectedLines));
    }

    /** The codec's verdict on one line, or {@code null} for a blank line. */
    private Decoded<?> validate(Kind kind, TenantId tenant, byte[] line) {
        if (isBlank(line)) {
            return null;
        }
        return kind == Kind.DOCUMENTS
                ? codec.decodeDocument(tenant.value(), line)
                : codec.decodeEdit(tenant.value(), line);
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static void throwIfFailed(AtomicReference<Exception> failure) {
        Exception error = failure.get();
        if (error != null) {
            throw new KafkaException("producing failed, stopping: " + error.getMessage(), error);
        }
    }
}
