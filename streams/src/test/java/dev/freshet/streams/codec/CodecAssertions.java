package dev.freshet.streams.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.streams.record.Reason;
import java.nio.charset.StandardCharsets;

/** Small helpers shared by the codec tests. */
final class CodecAssertions {

    private CodecAssertions() {}

    static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** JSON written with single quotes for readability in tests. */
    static byte[] json(String singleQuoted) {
        return utf8(singleQuoted.replace('\'', '"'));
    }

    static <T> Decoded.Accepted<T> assertAccepted(Decoded<T> decoded) {
        @SuppressWarnings("unchecked")
        Decoded.Accepted<T> accepted = assertInstanceOf(Decoded.Accepted.class, decoded, () -> "rejected: " + decoded);
        return accepted;
    }

    /** Asserts a rejection for {@code reason} whose detail mentions {@code detailPart}. */
    static void assertRejected(Decoded<?> decoded, Reason reason, String detailPart) {
        Decoded.Rejected<?> rejected = assertInstanceOf(Decoded.Rejected.class, decoded, () -> "accepted: " + decoded);
        assertEquals(reason, rejected.reason(), rejected::detail);
        assertTrue(rejected.detail().contains(detailPart),
                () -> "detail '" + rejected.detail() + "' should mention '" + detailPart + "'");
    }
}
