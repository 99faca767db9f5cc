package dev.freshet.server.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.editing.EditMetrics;
import dev.freshet.adaptation.eval.BatchedAnswers;
import dev.freshet.adaptation.eval.EvalData;
import dev.freshet.adaptation.eval.OldWorldProbe;
import dev.freshet.adaptation.eval.QaEval;
import dev.freshet.adaptation.eval.Slices;
import dev.freshet.adaptation.eval.UptakeEval;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.adaptation.pretrain.PretrainConfig;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.app.Freshet;
import dev.freshet.server.app.Gates;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.QualityGate;
import dev.freshet.server.training.EditLearner;
import dev.freshet.server.training.MwiScope;
import dev.freshet.server.training.Origin;
import dev.freshet.server.training.ServingPressure;
import dev.freshet.server.training.TrainingEvents;
import dev.freshet.server.training.TrainingQueue;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.server.training.TrainingWorker;
import dev.freshet.server.training.WorkItem;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code bench documents}: the server's document training at several learning rates, through the path a deployment
 * runs. N documents of the default model's world go through the {@link TrainingWorker} in micro-batches of R records
 * (one version each), the production quality gate decides every version against the served one, and after a
 * rejection training resumes from the served version. Then the served version is measured: the documents' held-out
 * questions (exact match, F1, answer NLL: what was learnt), old-world exact match and perplexity (what was lost), and
 * how many records reached a served version rather than one the gate held back. With {@code --edits E} the first E
 * world edits are spread evenly through the same tenant's stream, as a deployment's tenant gets both, and the served
 * version's edit efficacy, generalisation and locality are measured too.
 */
final class DocumentsBench {

    private static final TenantId TENANT = new TenantId("bench");
    private static final Duration MAX_WAIT = Duration.ofMinutes(30);

    /**
     * @param documents N, sampled from the world's document stream with {@code seed}
     * @param perVersion R, records per version
     * @param learningRates the server's training learning rates compared ({@code serve --lr}), one run each
     * @param weightings the server's document weightings compared ({@code serve --weighting}), each at every rate
     * @param gated whether the production gate decides each version; false promotes every version
     * @param mwi the trainer's momentum weight interpolation ({@code serve --mwi-tau}): versions then hold the slow copy
     * @param mwiScope the tensors it follows ({@code serve --mwi-scope})
     * @param edits world edits spread through the stream (0: documents only), trained by the server's default edit learner
     */
    record Settings(int documents, int perVersion, List<Float> learningRates, List<String> weightings, boolean gated, long seed, MwiSettings mwi,
            MwiScope mwiScope, int edits) {
        Settings {
            if (weightings.isEmpty()) {
                throw new IllegalArgumentException("bench documents: name at least one weighting");
            }
            for (String w : weightings) {
                // Checked here, not after the base model's measurement: "none" trains nothing, so serve refuses it too.
                if (w.equals("none") || !TokenWeighting.NAMES.contains(w)) {
                    throw new IllegalArgumentException("bench documents: unknown weighting '" + w + "': use uniform, salient-spans, tfidf or camels");
                }
            }
            weightings = List.copyOf(weightings);
            if (documents < 1 || perVersion < 1 || learningRates.isEmpty() || edits < 0) {
                throw new IllegalArgumentException("bench documents: documents and per-version must be >= 1, edits >= 0, and at least one learning rate given");
            }
            for (float lr : learningRates) {
                if (!(lr > 0) || !Float.isFinite(lr)) {
                    throw new IllegalArgumentException("bench documents: learning rates must be positive, got " + lr);
                }
            }
            learningRates = List.copyOf(learningRates);
        }

        static Settings defaults() {
            return new Settings(200, 8, List.of(1e-3f, 3e-4f, 1e-4f), List.of("uniform"), true, 1, TrainingSettings.OFF, MwiScope.ALL, 0);
        }

        static Settings quick() {
            return new Settings(48, 8, List.of(1e-3f, 1e-4f), List.of("uniform"), true, 1, TrainingSettings.OFF, MwiScope.ALL, 0);
        }
    }

    /**
     * One learning rate's outcome, measured on the served version.
     *
     * @param edits the streamed edits' scores; null when none were streamed
     */
    record Row(String label, QaEval.QaScore documents, double answerNll, EditMetrics.Scores edits, OldWorldProbe.Result oldWorld, int promoted,
            int rejected, int servedRecords, int heldRecords, int refused, long steps, double seconds) {}

    private DocumentsBench() {}

    static List<Row> run(LanguageModel model, Settings s, Path outDir, PrintStream out) throws Exception {
        World world = World.generate(PretrainConfig.DEFAULT.seed(), WorldSize.DEFAULT);
        EvalData data = EvalData.fromWorld(world);
        List<WorldDocument> docs = Slices.sample(data.requireDocuments(), Math.min(s.documents(), data.requireDocuments().size()), s.seed());
        List<QaPair> questions = docs.stream().flatMap(d -> d.questions().stream()).toList();
        List<WorldEdit> edits = world.edits().subList(0, Math.min(s.edits(), world.edits().size()));
        OldWorldProbe probe = data.probe(100, 50);
        TrainingSettings d = TrainingSettings.defaults(model.config().family()).withMwi(s.mwi(), s.mwiScope());
        out.printf("bench documents: %d documents of world %d (sample seed %d, %d held-out questions)%s, %d per version, learning rates %s,"
                + " weightings %s; %s; %s; the server's document training otherwise (AdamW, clip %s, %d pass)%n", docs.size(), world.seed(), s.seed(),
                questions.size(), edits.isEmpty() ? "" : " and " + edits.size() + " edits (" + d.editMethod() + ") among them", s.perVersion(),
                s.learningRates(), s.weightings(), s.gated() ? "the quality gate decides each version" : "no gate (every version served)",
                d.describeMwi(), d.clipNorm(), d.documentEpochs());
        // One gate and one edit learner for every arm: neither keeps state between tenant adapters but the gate's memo of
        // measured versions (the edit learner's replay lives in each tenant adapter), and building them generates the world.
        QualityGate gate = s.gated() ? Gates.forModel(model) : QualityGate.ALWAYS_PASS;
        EditLearner editLearner = EditLearner.of(d);
        List<Function<Origin, WorkItem>> records = stream(docs, edits);
        List<Row> rows = new ArrayList<>();
        rows.add(measure("base model", model, Adaptation.NONE, questions, edits, probe, null, 0));
        for (String weighting : s.weightings()) {
            for (float lr : s.learningRates()) {
                rows.add(runOne(model, s, weighting, d.withSchedule(lr, d.documentEpochs(), d.editEpochs()), gate, editLearner, records,
                        questions, edits, probe, out));
            }
        }
        out.printf("%n%-22s %8s %8s %10s%s %10s %8s %9s %8s %9s %8s %8s %8s%n", "weighting lr", "doc EM%", "doc F1%", "answer NLL",
                edits.isEmpty() ? "" : String.format(" %9s %9s %9s", "edit eff%", "edit gen%", "edit loc%"), "oldQA EM%", "old ppl",
                "promoted", "rejected", "served%", "refused", "steps", "seconds");
        for (Row r : rows) {
            int total = r.servedRecords() + r.heldRecords();
            out.printf("%-22s %8.1f %8.1f %10.3f%s %10.1f %8.3f %9d %8d %9s %8d %8d %8.1f%n", r.label(), 100 * r.documents().exactMatch(),
                    100 * r.documents().f1(), r.answerNll(), r.edits() == null ? ""
                            : String.format(" %9.1f %9.1f %9.1f", 100 * r.edits().efficacy(), 100 * r.edits().generalization(), 100 * r.edits().locality()),
                    100 * r.oldWorld().exactMatch(), r.oldWorld().perplexity(), r.promoted(), r.rejected(),
                    total == 0 ? "-" : String.format("%.1f", 100.0 * r.servedRecords() / total), r.refused(), r.steps(), r.seconds());
        }
        out.println("measured on the served version (the last one the gate promoted); served%: records in promoted versions, of all in versions");
        Path json = writeJson(s, rows, outDir);
        out.println("wrote " + json);
        return rows;
    }

    /** The documents in order, with edit j after document ⌈(j+1)·D/(E+1)⌉ − 1: spread evenly, none first or last unless E ≥ D. */
    static List<Function<Origin, WorkItem>> stream(List<WorldDocument> docs, List<WorldEdit> edits) {
        List<Function<Origin, WorkItem>> records = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < docs.size(); i++) {
            WorldDocument doc = docs.get(i);
            records.add(o -> new WorkItem.Document(TENANT, new DocumentRecord(doc.id(), doc.text(), Optional.empty(), Optional.empty()), o));
            while (next < edits.size() && (long) (i + 1) * (edits.size() + 1) >= (long) (next + 1) * docs.size()) {
                WorldEdit e = edits.get(next++);
                records.add(o -> new WorkItem.Edit(TENANT, new EditRecord(e.id(), e.prompt(), e.target()), o));
            }
        }
        return records;
    }

    private static Row runOne(LanguageModel model, Settings s, String weighting, TrainingSettings settings, QualityGate gate, EditLearner editLearner,
            List<Function<Origin, WorkItem>> records, List<QaPair> questions, List<WorldEdit> edits, OldWorldProbe probe, PrintStream out) throws Exception {
        String label = weighting + " " + settings.learningRate();
        out.printf("%s:%n", label);
        Path dir = Files.createTempDirectory("freshet-bench-documents-");
        AdapterStore store = new AdapterStore(dir);
        settings = settings.withBatching(s.perVersion(), Duration.ofSeconds(2), Math.max(16, s.perVersion()));
        List<AutoCloseable> resources = new ArrayList<>();
        try (GatedRun run = new GatedRun(store, gate, out)) {
            TrainingWorker.Learners learners = new TrainingWorker.Learners(Freshet.documentLearner(model, settings, weighting, null, resources), editLearner);
            List<WorkItem> items = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                items.add(records.get(i).apply(new Origin("bench.documents", 0, i, System.currentTimeMillis(), run.receipt())));
            }
            TrainingQueue queue = new TrainingQueue(settings.queueCapacity());
            long start = System.nanoTime();
            try (TrainingWorker worker = new TrainingWorker(model, settings, queue, learners, store, run,
                    ServingPressure.NONE, TrainingEvents.NONE)) {
                worker.start();
                run.feed(queue, items, MAX_WAIT, label);
            }
            return measure(label, model, run.served(), questions, edits, probe, run, (System.nanoTime() - start) / 1e9);
        } finally {
            for (AutoCloseable r : resources) {
                r.close();
            }
            BenchServer.delete(dir);
        }
    }

    private static Row measure(String label, LanguageModel model, Adaptation served, List<QaPair> questions, List<WorldEdit> edits, OldWorldProbe probe,
            GatedRun run, double seconds) {
        QaEval.QaScore qa = BatchedAnswers.evaluate(model, served, questions);
        double nll = UptakeEval.answerNll(model, served, questions);
        EditMetrics.Scores editScores = edits.isEmpty() ? null : EditMetrics.measure(model, served, edits);
        OldWorldProbe.Result old = probe.measure(model, served);
        return run == null ? new Row(label, qa, nll, editScores, old, 0, 0, 0, 0, 0, 0, 0)
                : new Row(label, qa, nll, editScores, old, run.promoted, run.rejected, run.servedRecords, run.heldRecords, run.refused(), run.steps, seconds);
    }

    private static Path writeJson(Settings s, List<Row> rows, Path outDir) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("scenario", "documents");
        o.addProperty("documents", s.documents());
        o.addProperty("per_version", s.perVersion());
        o.addProperty("gated", s.gated());
        o.addProperty("seed", s.seed());
        o.addProperty("mwi_tau", s.mwi().tau());
        o.addProperty("mwi_scope", s.mwiScope().flag());
        o.addProperty("edits", s.edits());
        o.addProperty("weightings", String.join(",", s.weightings()));
        JsonArray a = new JsonArray();
        for (Row r : rows) {
            JsonObject j = new JsonObject();
            j.addProperty("arm", r.label());
            j.addProperty("doc_em", r.documents().exactMatch());
            j.addProperty("doc_f1", r.documents().f1());
            j.addProperty("doc_answer_nll", r.answerNll());
            if (r.edits() != null) {
                j.addProperty("edit_efficacy", r.edits().efficacy());
                j.addProperty("edit_generalization", r.edits().generalization());
                j.addProperty("edit_locality", r.edits().locality());
            }
            j.addProperty("served_records", r.servedRecords());
            j.addProperty("held_records", r.heldRecords());
            GatedRun.addRunFields(j, r.oldWorld(), r.promoted(), r.rejected(), r.refused(), r.steps(), r.seconds());
            a.add(j);
        }
        return GatedRun.writeReport(o, a, outDir, "documents.json");
    }
}
