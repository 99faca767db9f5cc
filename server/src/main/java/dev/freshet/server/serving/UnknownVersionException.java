package dev.freshet.server.serving;

/** A rollback named a version the tenant's history and the adapter store do not hold (HTTP 404). */
public final class UnknownVersionException extends RuntimeException {

    public UnknownVersionException(String tenant, long version) {
        super("tenant '" + tenant + "' has no stored adapter version " + version);
    }
}
