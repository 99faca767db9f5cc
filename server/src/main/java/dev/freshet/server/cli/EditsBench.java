package dev.freshet.server.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.editing.EditMetrics;
import dev.freshet.adaptation.editing.EditSettings;
import dev.freshet.adaptation.eval.EvalData;
import dev.freshet.adaptation.eval.OldWorldProbe;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.adaptation.pretrain.PretrainConfig;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.app.Gates;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.QualityGate;
import dev.freshet.server.training.LocalizedEditLearner;
import dev.freshet.server.training.MwiScope;
import dev.freshet.server.training.Origin;
import dev.freshet.server.training.ServingPressure;
import dev.freshet.server.training.TrainingEvents;
import dev.freshet.server.training.TrainingQueue;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.server.training.TrainingWorker;
import dev.freshet.server.training.WorkItem;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.TenantId;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench edits}: the server's edit learners side by side, through the path a deployment runs. The first N
 * edits of the default model's world go through the {@link TrainingWorker} in micro-batches of R records (one
 * version each); the production quality gate decides every version against the served one, as the registry does,
 * and after a rejection training resumes from the served version. Then the served version is measured: efficacy,
 * paraphrase generalisation and neighbour locality over the N edits ({@link EditMetrics}), old-world exact match
 * and perplexity, versions promoted and rejected, optimizer steps and seconds.
 */
final class EditsBench {

    private static final TenantId TENANT = new TenantId("bench");
    /** The longest wait for every edit to reach a version (the full default run takes about two minutes). */
    private static final Duration MAX_WAIT = Duration.ofMinutes(30);

    /** @param methods edit learners by name ({@link TrainingSettings#EDIT_METHODS}) */
    /**
     * @param gated whether the production gate decides each version; false promotes every version
     * @param locft the settings of {@code locft-bf} ({@link LocalizedEditLearner#SETTINGS} unless swept)
     * @param keys the settings of {@code locft-keys} ({@link LocalizedEditLearner#KEYS_SETTINGS} unless swept)
     * @param adapter the tenant adapter every learner starts from; null: the server's default
     * @param mwi the trainer's momentum weight interpolation ({@code serve --mwi-tau}): versions then hold the slow copy
     * @param mwiScope the tensors it follows ({@code serve --mwi-scope})
     */
    record Settings(int edits, int perVersion, List<String> methods, boolean gated, EditSettings locft, EditSettings keys, AdapterSpec adapter,
            MwiSettings mwi, MwiScope mwiScope) {

        static Settings defaults() {
            return new Settings(100, 10, TrainingSettings.EDIT_METHODS, true, LocalizedEditLearner.SETTINGS, LocalizedEditLearner.KEYS_SETTINGS, null,
                    TrainingSettings.OFF, MwiScope.ALL);
        }

        static Settings quick() {
            return new Settings(30, 10, TrainingSettings.EDIT_METHODS, true, LocalizedEditLearner.SETTINGS, LocalizedEditLearner.KEYS_SETTINGS, null,
                    TrainingSettings.OFF, MwiScope.ALL);
        }
    }

    /** One learner's outcome. */
    record Row(String method, EditMetrics.Scores served, OldWorldProbe.Result oldWorld, int promoted, int rejected, int refused, long steps,
            double seconds) {}

    private EditsBench() {}

    static List<Row> run(LanguageModel model, Settings s, Path outDir, PrintStream out) throws Exception {
        World world = World.generate(PretrainConfig.DEFAULT.seed(), WorldSize.DEFAULT);
        List<WorldEdit> edits = world.edits().subList(0, Math.min(s.edits(), world.edits().size()));
        OldWorldProbe probe = EvalData.fromWorld(world).probe(100, 50);
        OldWorldProbe.Result base = probe.measure(model, Adaptation.NONE);
        out.printf("bench edits: %d edits of world %d, %d per version, learners %s, %s; locft-bf lr %s, up to %d epochs, stop %s;"
                + " locft-keys SGD lr %s, up to %d epochs, stop %s; %s; base model old-world EM %.1f %%, ppl %.3f%n", edits.size(), world.seed(), s.perVersion(), s.methods(),
                s.gated() ? "the quality gate decides each version" : "no gate (every version served)", s.locft().learningRate(),
                s.locft().maxEpochs(), s.locft().stopLoss(), s.keys().learningRate(), s.keys().maxEpochs(), s.keys().stopLoss(),
                TrainingSettings.defaults(model.config().family()).withMwi(s.mwi(), s.mwiScope()).describeMwi()
                        + (s.mwiScope() == MwiScope.DOCUMENTS ? " for locft-keys, over every tensor for the other learners" : ""),
                100 * base.exactMatch(), base.perplexity());
        QualityGate gate = s.gated() ? Gates.forModel(model) : QualityGate.ALWAYS_PASS; // one for every learner: it generates the world
        List<Row> rows = new ArrayList<>();
        for (String method : s.methods()) {
            rows.add(runOne(model, s, method, gate, edits, probe, out));
        }
        out.printf("%n%-10s %10s %10s %10s %10s %10s %8s %9s %8s %8s %9s%n", "learner", "efficacy%", "general.%", "locality%", "mean%", "oldQA EM%",
                "old ppl", "promoted", "rejected", "steps", "seconds");
        for (Row r : rows) {
            EditMetrics.Scores sc = r.served();
            out.printf("%-10s %10.1f %10.1f %10.1f %10.1f %10.1f %8.3f %9d %8d %8d %9.1f%n", r.method(), 100 * sc.efficacy(), 100 * sc.generalization(),
                    100 * sc.locality(), 100 * (sc.efficacy() + sc.generalization() + sc.locality()) / 3, 100 * r.oldWorld().exactMatch(),
                    r.oldWorld().perplexity(), r.promoted(), r.rejected(), r.steps(), r.seconds());
        }
        out.println("measured on the served version (the last one the gate promoted); refused records: "
                + rows.stream().map(r -> r.method() + " " + r.refused()).toList());
        Path json = writeJson(s, base, rows, outDir);
        out.println("wrote " + json);
        return rows;
    }

    private static Path writeJson(Settings s, OldWorldProbe.Result base, List<Row> rows, Path outDir) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("scenario", "edits");
        o.addProperty("edits", s.edits());
        o.addProperty("per_version", s.perVersion());
        o.addProperty("gated", s.gated());
        o.addProperty("mwi_tau", s.mwi().tau());
        o.addProperty("mwi_scope", s.mwiScope().flag());
        o.addProperty("base_old_qa_em", base.exactMatch());
        o.addProperty("base_old_ppl", base.perplexity());
        JsonArray a = new JsonArray();
        for (Row r : rows) {
            JsonObject j = new JsonObject();
            j.addProperty("learner", r.method());
            j.addProperty("efficacy", r.served().efficacy());
            j.addProperty("generalization", r.served().generalization());
            j.addProperty("locality", r.served().locality());
            GatedRun.addRunFields(j, r.oldWorld(), r.promoted(), r.rejected(), r.refused(), r.steps(), r.seconds());
            a.add(j);
        }
        return GatedRun.writeReport(o, a, outDir, "edits.json");
    }

    private static Row runOne(LanguageModel model, Settings s, String method, QualityGate gate, List<WorldEdit> edits, OldWorldProbe probe,
            PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("freshet-bench-edits-");
        AdapterStore store = new AdapterStore(dir);
        TrainingSettings settings = TrainingSettings.defaults(model.config().family())
                .withBatching(s.perVersion(), Duration.ofSeconds(2), Math.max(16, s.perVersion()))
                .withEdits(method, null);
        // The documents scope needs locft-keys' own deltas (the header says so); other learners share tensors with documents.
        settings = settings.withMwi(s.mwi(), method.equals(LocalizedEditLearner.KEYS_NAME) && s.adapter() == null ? s.mwiScope() : MwiScope.ALL);
        if (s.adapter() != null) {
            settings = settings.withAdapter(s.adapter());
        }
        GatedRun sink = new GatedRun(store, gate, out);
        TrainingQueue queue = new TrainingQueue(settings.queueCapacity());
        List<WorkItem> items = new ArrayList<>();
        for (int i = 0; i < edits.size(); i++) {
            items.add(new WorkItem.Edit(TENANT, new EditRecord(edits.get(i).id(), edits.get(i).prompt(), edits.get(i).target()),
                    new Origin("bench.edits", 0, i, System.currentTimeMillis(), sink.receipt())));
        }
        long start = System.nanoTime();
        try {
            try (TrainingWorker worker = new TrainingWorker(model, settings, queue, learners(settings, s), store, sink,
                    ServingPressure.NONE, TrainingEvents.NONE)) {
                worker.start();
                sink.feed(queue, items, MAX_WAIT, method);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            EditMetrics.Scores scores = EditMetrics.measure(model, sink.served(), edits);
            OldWorldProbe.Result old = probe.measure(model, sink.served());
            return new Row(method, scores, old, sink.promoted, sink.rejected, sink.refused(), sink.steps, seconds);
        } finally {
            sink.close();
            BenchServer.delete(dir);
        }
    }

    private static TrainingWorker.Learners learners(TrainingSettings settings, Settings s) {
        TrainingWorker.Learners defaults = TrainingWorker.Learners.defaults(settings);
        return settings.editMethod().equals(LocalizedEditLearner.NAME)
                ? new TrainingWorker.Learners(defaults.documents(), new LocalizedEditLearner(s.locft(), settings.editLocation()))
                : settings.editMethod().equals(LocalizedEditLearner.KEYS_NAME)
                ? new TrainingWorker.Learners(defaults.documents(), LocalizedEditLearner.withKeys(s.keys(), settings.editLocation(), LocalizedEditLearner.preservedQuestions()))
                : defaults;
    }
}
