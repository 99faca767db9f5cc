package dev.freshet.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Load goes to loopback only. */
class TargetTest {

    @Test
    void loopbackTargetsAreAcceptedAndGetATrailingSlash() {
        Target t = Target.of("http://127.0.0.1:8080", "localhost:9092", "freshet");
        assertEquals("http://127.0.0.1:8080/v1/score", t.http().resolve("v1/score").toString());
        assertEquals("freshet.documents", t.topics().documents());
    }

    @Test
    void anythingElseIsRefusedNamingTheOption() {
        var e = assertThrows(IllegalArgumentException.class, () -> Target.of("http://10.1.2.3:8080", "127.0.0.1:9092", "freshet"));
        assertEquals("--url: load goes to loopback only; 10.1.2.3 is 10.1.2.3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Target.of("http://127.0.0.1:8080", "192.168.0.1:9092", "freshet"));
        assertThrows(IllegalArgumentException.class, () -> Target.of("https://127.0.0.1:8080", "127.0.0.1:9092", "freshet"));
    }
}
