package dev.freshet.adaptation.eval;

import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.adaptation.world.WorldReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the evaluations read: a document stream with held-out questions, fact edits, and two probes of the old
 * world the base model was trained on. Comes from a generated {@link World} or from a folder of JSONL files in
 * the shapes {@code bin/freshet world --out DIR} writes, so a real dataset converted to them runs unchanged.
 *
 * @param source where the data came from, for the report
 * @param documents the stream, in time order, each with the questions its text answers
 * @param edits fact edits with paraphrases and neighbors
 * @param oldWorldQa questions on old facts nothing changes ({@link World#stableQa()}): what forgetting erodes
 * @param oldWorldTexts in-distribution old-world text ({@link World#pretrainingTexts()}) for perplexity, and the
 *     reference corpus of the {@code tfidf} weighting's document frequencies
 * @param heldOutQa questions on old facts the base model read only in prose ({@link World#heldOutQa()}): never
 *     edited, never a neighbour, not in {@code oldWorldQa}, so no measurement reads them; where the edits
 *     evaluation's old-world retain arm draws its anchors
 */
public record EvalData(String source, List<WorldDocument> documents, List<WorldEdit> edits, List<QaPair> oldWorldQa, List<String> oldWorldTexts,
        List<QaPair> heldOutQa) {

    /** Seed of the fixed old-world samples: the same probe for every run, seed and method. */
    public static final long PROBE_SEED = 20240601L;

    public EvalData {
        documents = List.copyOf(documents);
        edits = List.copyOf(edits);
        oldWorldQa = List.copyOf(oldWorldQa);
        oldWorldTexts = List.copyOf(oldWorldTexts);
        heldOutQa = List.copyOf(heldOutQa);
    }

    /**
     * A generated world. Old-world perplexity is read on pretraining texts on purpose: the world's held-out
     * phrasings give perplexities near 32,000 for the base model (unseen templates), which hides any change.
     */
    public static EvalData fromWorld(World w) {
        return new EvalData("world seed " + w.seed(), w.documents(), w.edits(), w.stableQa(), w.pretrainingTexts(), w.heldOutQa());
    }

    /**
     * A folder written by {@code bin/freshet world --out DIR}: {@code documents.jsonl} (+
     * {@code document_questions.jsonl}), {@code edits.jsonl}, {@code stable_qa.jsonl}, {@code pretrain.jsonl},
     * {@code heldout_qa.jsonl}. A missing file gives an empty list; an evaluation that needs it says so.
     */
    public static EvalData read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("--data " + dir + " is not a folder");
        }
        List<WorldDocument> docs = Files.exists(dir.resolve("documents.jsonl")) ? WorldReader.readDocuments(dir) : List.of();
        List<WorldEdit> edits = Files.exists(dir.resolve("edits.jsonl")) ? WorldReader.readEdits(dir) : List.of();
        List<QaPair> qa = Files.exists(dir.resolve("stable_qa.jsonl")) ? WorldReader.readQa(dir.resolve("stable_qa.jsonl")) : List.of();
        List<String> texts = Files.exists(dir.resolve("pretrain.jsonl")) ? WorldReader.readTexts(dir.resolve("pretrain.jsonl")) : List.of();
        List<QaPair> heldOut = Files.exists(dir.resolve("heldout_qa.jsonl")) ? WorldReader.readQa(dir.resolve("heldout_qa.jsonl")) : List.of();
        return new EvalData(dir.toString(), docs, edits, qa, texts, heldOut);
    }

    /** The fixed old-world probe: {@code qa} questions and {@code texts} texts drawn with {@link #PROBE_SEED}. */
    public OldWorldProbe probe(int qa, int texts) {
        return new OldWorldProbe(Slices.sample(oldWorldQa, qa, PROBE_SEED), Slices.sample(oldWorldTexts, texts, PROBE_SEED));
    }

    /** The documents, failing with a message that names the file when there are none. */
    public List<WorldDocument> requireDocuments() {
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("no documents in " + source + " (documents.jsonl)");
        }
        return documents;
    }

    /** The edits, failing with a message that names the file when there are none. */
    public List<WorldEdit> requireEdits() {
        if (edits.isEmpty()) {
            throw new IllegalArgumentException("no edits in " + source + " (edits.jsonl)");
        }
        return edits;
    }
}
