package dev.freshet.streams.record;

import java.time.Instant;
import java.util.Optional;

/**
 * A document to adapt the model on: a piece of text, such as a news article, that the model should
 * absorb the facts of. Its tenant is the Kafka key, not a field.
 *
 * @param id the sender's id for the document, unique within the tenant; the covered-ids check uses
 *     it to skip documents an adapter version already includes
 * @param text the text to learn from; never blank
 * @param source where the text came from (a URL, a feed name), if the sender said
 * @param ts when the text was written or published, if the sender said
 */
public record DocumentRecord(String id, String text, Optional<String> source, Optional<Instant> ts) {

    /** @throws InvalidRecordException if the id or text is missing or blank */
    public DocumentRecord {
        Texts.requireId(id);
        Texts.requireText(text, "text");
        source = source == null ? Optional.empty() : source;
        ts = ts == null ? Optional.empty() : ts;
    }

    /** A document with no source and no timestamp. */
    public DocumentRecord(String id, String text) {
        this(id, text, Optional.empty(), Optional.empty());
    }
}
