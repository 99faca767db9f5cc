package dev.freshet.streams.record;

import java.util.List;

/** The text checks shared by every record, so each rule and its message live in one place. */
final class Texts {

    /** Ids end up in manifests and covered-id sets; a bound keeps those small. */
    static final int MAX_ID_LENGTH = 256;

    private Texts() {}

    /** {@code value} must be present and not blank; {@code field} names it in the rejection. */
    static String requireText(String value, String field) {
        if (value == null) {
            throw new InvalidRecordException(Reason.MISSING_FIELD, "field '" + field + "' is missing");
        }
        if (value.isBlank()) {
            throw new InvalidRecordException(Reason.EMPTY_TEXT, "field '" + field + "' is " + (value.isEmpty() ? "empty" : "blank"));
        }
        return value;
    }

    /** A record id: present, not blank, at most {@link #MAX_ID_LENGTH} characters. */
    static String requireId(String id) {
        requireText(id, "id");
        if (id.length() > MAX_ID_LENGTH) {
            throw new InvalidRecordException(Reason.TOO_LARGE,
                    "field 'id' has " + id.length() + " characters; the limit is " + MAX_ID_LENGTH);
        }
        return id;
    }

    /** An immutable copy of {@code list} (null means empty) whose elements pass {@code requireText}. */
    static List<String> requireTexts(List<String> list, String field) {
        if (list == null) {
            return List.of();
        }
        for (int i = 0; i < list.size(); i++) {
            requireText(list.get(i), field + "[" + i + "]");
        }
        return List.copyOf(list);
    }

    static <T> T requireNonNull(T value, String field) {
        if (value == null) {
            throw new InvalidRecordException(Reason.MISSING_FIELD, "field '" + field + "' is missing");
        }
        return value;
    }
}
