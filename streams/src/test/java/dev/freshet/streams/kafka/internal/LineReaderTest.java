package dev.freshet.streams.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    @Test
    void splitsOnNewlinesDroppingCarriageReturns() throws IOException {
        LineReader reader = reader("a\r\nbb\n\nccc", 10);
        assertLine(reader.next(), 1, "a");
        assertLine(reader.next(), 2, "bb");
        assertLine(reader.next(), 3, "");
        assertLine(reader.next(), 4, "ccc");
        assertNull(reader.next());
        assertNull(reader.next());
    }

    @Test
    void aFinalNewlineAddsNoLine() throws IOException {
        LineReader reader = reader("a\n", 10);
        assertLine(reader.next(), 1, "a");
        assertNull(reader.next());
        assertNull(reader("", 10).next());
    }

    @Test
    void marksOverlongLinesAndCarriesOn() throws IOException {
        LineReader reader = reader("12345\r\n123456\nok", 5);
        assertLine(reader.next(), 1, "12345");
        LineReader.Line tooLong = reader.next();
        assertTrue(tooLong.tooLong());
        assertEquals(2, tooLong.number());
        assertLine(reader.next(), 3, "ok");
    }

    private static LineReader reader(String text, int max) {
        return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
    }

    private static void assertLine(LineReader.Line line, long number, String text) {
        assertEquals(number, line.number());
        assertEquals(false, line.tooLong());
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), line.bytes());
    }
}
