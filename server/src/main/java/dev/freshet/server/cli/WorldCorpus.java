package dev.freshet.server.cli;

import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.loadtest.Corpus;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.Neighbor;
import java.util.List;

/**
 * The bench's records: the default model's own synthetic world (seed 1234), the new documents and fact
 * edits {@code demo} streams, in order, cycling past the end. Record ids carry the run, so each record is
 * new to the server even when its text comes round again. Queries are the documents' own questions.
 */
final class WorldCorpus implements Corpus {

    private final String run;
    private final List<WorldDocument> documents;
    private final List<WorldEdit> edits;

    WorldCorpus(String run) {
        World world = World.generate(1234, WorldSize.DEFAULT);
        this.run = run;
        this.documents = world.documents();
        this.edits = world.edits();
    }

    @Override
    public DocumentRecord document(long i) {
        WorldDocument d = documents.get((int) (i % documents.size()));
        return new DocumentRecord(run + "-d" + i + "-" + d.id(), d.text());
    }

    @Override
    public EditRecord edit(long i) {
        WorldEdit e = edits.get((int) (i % edits.size()));
        List<Neighbor> neighbors = e.neighbors().stream().map(n -> new Neighbor(n.prompt(), n.target())).toList();
        return new EditRecord(run + "-e" + i + "-" + e.id(), e.prompt(), e.target(), e.paraphrases(), neighbors);
    }

    @Override
    public String[] query(long i) {
        WorldDocument d = documents.get((int) (i % documents.size()));
        QaPair qa = d.questions().get((int) (i / documents.size() % d.questions().size()));
        return new String[] {QaFormat.prompt(qa.question()), QaFormat.target(qa.answer())};
    }
}
