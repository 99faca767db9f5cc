package dev.freshet.loadtest;

import dev.freshet.loadtest.internal.Synthetic;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;

/**
 * What the scenarios send: the i-th document, edit and query of a run. Ids must be unique within a run
 * (and should be across runs against one server, so a restarted server's covered ids never mask a new
 * record). What the model is asked to learn matters more than it seems: the quality gate rejects versions
 * that hurt the base model's old-world perplexity, so text unlike the model's world can stall a tenant.
 * The server's {@code bench} command passes the default model's own synthetic world.
 */
public interface Corpus {

    DocumentRecord document(long i);

    EditRecord edit(long i);

    /** A prompt and a continuation to score, for the query load. */
    String[] query(long i);

    /** Made-up people and places; ids start with {@code run}. For servers whose model has no world of its own. */
    static Corpus synthetic(String run) {
        return new Synthetic(run);
    }
}
