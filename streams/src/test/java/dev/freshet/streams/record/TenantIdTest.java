package dev.freshet.streams.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "acme", "acme-corp", "acme_corp", "t1", "9lives", "a-_-b"})
    void acceptsLowercaseIds(String id) {
        assertEquals(id, new TenantId(id).value());
        assertTrue(TenantId.isValid(id));
    }

    @Test
    void acceptsSixtyFourCharactersButNotSixtyFive() {
        assertEquals(64, new TenantId("a".repeat(64)).value().length());
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> new TenantId("a".repeat(65)));
        assertEquals(Reason.INVALID_TENANT, e.rejection().reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bad Tenant!", "Acme", "-acme", "_acme", "acme corp", "acme.corp", "acme/x", "é"})
    void rejectsOtherIds(String id) {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> new TenantId(id));
        assertEquals(Reason.INVALID_TENANT, e.rejection().reason());
        assertTrue(e.rejection().detail().contains("[a-z0-9][a-z0-9_-]{0,63}"), e.rejection().detail());
        assertFalse(TenantId.isValid(id));
    }

    @Test
    void nullKeyMeansTheDefaultTenant() {
        assertEquals(TenantId.DEFAULT, TenantId.fromKey(null));
        assertEquals("default", TenantId.fromKey(null).value());
    }

    @Test
    void fromKeyRejectsAnInvalidKeyNamingIt() {
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> TenantId.fromKey("Bad Tenant!"));
        assertEquals(new Rejection(Reason.INVALID_TENANT, e.rejection().detail()), e.rejection());
        assertTrue(e.rejection().detail().contains("'Bad Tenant!'"), e.rejection().detail());
    }

    @Test
    void printsAsItsValue() {
        assertEquals("acme", new TenantId("acme").toString());
    }
}
