package dev.freshet.streams.kafka.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it, so a line of invalid UTF-8 can be refused
 * on its own instead of failing the whole file. Lines end at {@code \n}; a {@code \r} before it is
 * dropped. A line longer than the bound is not kept in memory: its bytes are skipped up to the next
 * newline and it is returned as {@linkplain Line#tooLong() too long}.
 */
public final class LineReader {

    /**
     * One line of the input.
     *
     * @param number 1-based line number
     * @param bytes the line without its terminator; empty if {@code tooLong}
     * @param tooLong whether the line exceeded the bound
     */
    public record Line(long number, byte[] bytes, boolean tooLong) {}

    private final InputStream in;
    private final int maxLineBytes;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private long number;
    private boolean eof;

    /** Reads from {@code in} (buffer it) with lines of at most {@code maxLineBytes}. */
    public LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or {@code null} at the end of the input. */
    public Line next() throws IOException {
        if (eof) {
            return null;
        }
        buffer.reset();
        boolean tooLong = false;
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (buffer.size() < maxLineBytes + 1) { // keep one extra byte to tell a trailing '\r' apart
                buffer.write(b);
            } else {
                tooLong = true;
            }
        }
        if (b == -1) {
            eof = true;
            if (buffer.size() == 0 && !tooLong) {
                return null; // the input ended with a newline (or was empty): no further line
            }
        }
        byte[] bytes = buffer.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        tooLong |= length > maxLineBytes;
        number++;
        return new Line(number, tooLong ? new byte[0] : Arrays.copyOf(bytes, length), tooLong);
    }
}
