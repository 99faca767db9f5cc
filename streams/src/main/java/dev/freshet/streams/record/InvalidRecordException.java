package dev.freshet.streams.record;

/**
 * Thrown by a record's constructor when its arguments break the record's invariants.
 *
 * <p>Records are validated once, in their constructors, so that an instance is valid by
 * construction. A constructor cannot return a value, so it throws this exception carrying the
 * {@link Rejection}; the codec catches it at the edge and hands the rejection on as a value, so no
 * exception crosses the codec's API. Code that builds records from trusted values never sees it.
 */
public final class InvalidRecordException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Rejection rejection;

    /** Refuses a record for {@code reason}; {@code detail} names the field. */
    public InvalidRecordException(Reason reason, String detail) {
        super(detail);
        this.rejection = new Rejection(reason, detail);
    }

    /** The reason and detail, ready to become a dead letter. */
    public Rejection rejection() {
        return rejection;
    }

    /** Rejections are expected outcomes on a hot path; a stack trace would only cost time. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
