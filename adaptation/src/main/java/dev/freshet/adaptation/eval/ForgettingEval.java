package dev.freshet.adaptation.eval;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.camels.OnlineDocumentLearner;
import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.editing.EditOrder;
import dev.freshet.adaptation.editing.EditResult;
import dev.freshet.adaptation.editing.EditSettings;
import dev.freshet.adaptation.editing.EditTrainer;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.mwi.MomentumInterpolation;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.adaptation.train.Optimizer;
import dev.freshet.adaptation.train.StepResult;
import dev.freshet.adaptation.world.QaPair;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code eval forgetting}: K windows, each a batch of documents learned online then a window of fact edits, all on
 * one tenant adapter, with and without momentum weight interpolation (Stojanovski et al., arXiv 2211.03186).
 *
 * <p>The adapter is a dense delta on every projection: documents train all of it, edits only the localized module
 * (breadth-first, with replay), so both trainers move the same tensors as they would in the server. With MWI, every
 * applied step of either trainer counts towards the interpolation, the window boundary applies the reset policy,
 * and the <em>slow</em> copy is what is measured, as it is what would be served. Measured after the last window:
 * uptake of the last window (document F1, edit efficacy), retention of the first half of the windows (the same
 * figures on them), and the old-world probe.
 */
public final class ForgettingEval {

    private ForgettingEval() {}

    /**
     * @param windows K
     * @param docsPerWindow documents learned per window
     * @param editsPerWindow edits applied per window
     * @param weighting the token weighting of the documents' steps
     * @param docLearningRate Adam learning rate of the document steps (the uptake evaluation's choice)
     * @param edit editor settings for the localized module {@code location}
     * @param mwi τ and N of the MWI arms
     * @param resets the reset policies to run an MWI arm for (the no-MWI arm always runs)
     */
    public record Settings(int windows, int docsPerWindow, int editsPerWindow, int seeds, long firstSeed, AdapterSpec adapter, float docLearningRate,
            float clipNorm, EditSettings edit, String location, MwiSettings mwi, List<MwiSettings.ResetPolicy> resets, int oldQa, int oldTexts) implements SeedRange {

        /**
         * τ = 0.98, N = 1: a half-life of about 34 steps, a fraction of a window (25 document steps plus the edit
         * steps). The paper's τ = 0.9999 (half-life ~14,000 steps) is sized for training runs a hundred times longer
         * than a window here: the slow copy would barely leave the base model.
         */
        public static final MwiSettings MWI = new MwiSettings(0.98, 1, MwiSettings.ResetPolicy.NEVER);
        public static final Settings FULL = new Settings(10, 100, 30, 3, 1, UptakeEval.ALL_PROJECTIONS, UptakeEval.Settings.FULL.learningRate(), 750f,
                EditsEval.Settings.TRAINING, "h.3.mlp.c_proj", MWI, List.of(MwiSettings.ResetPolicy.NEVER, MwiSettings.ResetPolicy.PER_WINDOW), 163, 64);
        /**
         * The {@code --quick} sizes: 3 windows of 15 documents and 8 edits, edits at up to 50 epochs, MWI without
         * resets only, a smaller old-world probe. The earlier quick form (25 documents and 10 edits, 100 epochs, both
         * reset policies) would cost about 80 s per arm and seed on a loaded 2-core machine (estimated from the measured 0.7 s
         * per document step and 0.1 s per edit step): 12 minutes for three seeds.
         */
        public static final Settings QUICK = new Settings(3, 15, 8, 3, 1, UptakeEval.ALL_PROJECTIONS, UptakeEval.Settings.FULL.learningRate(), 750f,
                EditsEval.Settings.TRAINING.withMaxEpochs(50), "h.3.mlp.c_proj", MWI, List.of(MwiSettings.ResetPolicy.NEVER), 64, 32);

        public Settings {
            if (windows < 2 || docsPerWindow < 0 || editsPerWindow < 0 || docsPerWindow + editsPerWindow == 0 || seeds < 1) {
                throw new IllegalArgumentException("forgetting: needs >= 2 windows of documents and/or edits and >= 1 seed");
            }
            resets = List.copyOf(resets);
        }
    }

    /** Column keys of the table. */
    public static final String LAST_F1 = "last_doc_f1";
    public static final String LAST_EFFICACY = "last_edit_efficacy";
    public static final String FIRST_F1 = "first_doc_f1";
    public static final String FIRST_EFFICACY = "first_edit_efficacy";
    public static final String OLD_EM = "old_em";
    public static final String OLD_PPL = "old_ppl";

    public static EvalTable run(LanguageModel model, EvalData data, Settings s, TokenWeighting weighting, Consumer<String> progress) {
        Consumer<String> log = progress == null ? line -> { } : progress;
        int k = s.windows();
        int first = Math.max(1, k / 2);
        List<WorldDocument> allDocs = s.docsPerWindow() > 0 ? data.requireDocuments() : List.of();
        List<WorldEdit> allEdits = s.editsPerWindow() > 0 ? data.requireEdits() : List.of();
        int docsPer = Math.min(s.docsPerWindow(), allDocs.size() / k);
        int editsPer = Math.min(s.editsPerWindow(), allEdits.size() / k);
        OldWorldProbe probe = data.probe(s.oldQa(), s.oldTexts());
        EvalTable table = new EvalTable("forgetting", List.of(
                EvalTable.Column.percent(LAST_F1, "last doc F1 %"),
                EvalTable.Column.percent(LAST_EFFICACY, "last edit eff %"),
                EvalTable.Column.percent(FIRST_F1, "first doc F1 %"),
                EvalTable.Column.percent(FIRST_EFFICACY, "first edit eff %"),
                EvalTable.Column.percent(OLD_EM, "old QA EM %"),
                EvalTable.Column.number(OLD_PPL, "old ppl", 3)));
        table.setting("data", data.source());
        table.setting("model", model.id());
        table.setting("windows", k + " windows of " + docsPer + " documents then " + editsPer + " edits");
        table.setting("documents", weighting.name() + " weighting, AdamW lr " + s.docLearningRate() + ", clip " + s.clipNorm() + ", adapter " + UptakeEval.describe(s.adapter()));
        table.setting("edits", "LocFT-BF at " + s.location() + ", " + s.edit());
        table.setting("mwi", "tau " + s.mwi().tau() + ", every " + s.mwi().every() + " steps, half-life " + String.format("%.1f", s.mwi().halfLifeSteps())
                + " steps, resets " + s.resets());
        table.setting("seeds", s.seeds());
        table.setting("first_seed", s.firstSeed());
        if (docsPer < s.docsPerWindow() || editsPer < s.editsPerWindow()) {
            table.note("windows shrunk to " + docsPer + " documents and " + editsPer + " edits: the data holds " + allDocs.size() + " and " + allEdits.size());
        }
        List<MwiSettings> arms = new ArrayList<>();
        arms.add(null);
        for (MwiSettings.ResetPolicy r : s.resets()) {
            arms.add(new MwiSettings(s.mwi().tau(), s.mwi().every(), r));
        }
        for (int seed = 0; seed < s.seeds(); seed++) {
            long sd = s.firstSeed() + seed;
            List<List<WorldDocument>> docWindows = Slices.windows(Slices.sample(allDocs, docsPer * k, sd), Math.max(1, docsPer));
            List<List<WorldEdit>> editWindows = Slices.windows(Slices.shuffled(Slices.sample(allEdits, editsPer * k, sd), sd), Math.max(1, editsPer));
            for (MwiSettings mwi : arms) {
                String label = mwi == null ? "no MWI" : "MWI reset " + mwi.reset().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                try (Adapter adapter = Adapter.create(model, s.adapter(), "eval-forgetting", sd);
                        Optimizer adam = new Optimizer.AdamW(model.manager(), s.docLearningRate(), 0f);
                        MomentumInterpolation slow = mwi == null ? null : new MomentumInterpolation(adapter, mwi)) {
                    OnlineDocumentLearner learner = new OnlineDocumentLearner(model, adapter, adam, weighting, s.clipNorm());
                    EditTrainer editor = EditOrder.BREADTH_FIRST.trainer(model, adapter, List.of(s.location()), s.edit().withSeed(sd));
                    if (slow != null) {
                        editor.afterEachStep(slow::afterStep);
                    }
                    for (int w = 0; w < k; w++) {
                        int docSteps = 0;
                        for (WorldDocument d : window(docWindows, w)) {
                            StepResult r = learner.learn(d.text());
                            docSteps += r.applied() ? 1 : 0;
                            if (slow != null) {
                                slow.afterStep(r);
                            }
                        }
                        List<WorldEdit> edits = window(editWindows, w);
                        EditResult er = edits.isEmpty() ? null : editor.apply(edits);
                        if (slow != null) {
                            slow.onWindowBoundary();
                        }
                        log.accept(String.format("seed %d/%d  %-18s window %d/%d: %d document steps, %d edit steps", sd, s.lastSeed(), label, w + 1, k,
                                docSteps, er == null ? 0 : er.appliedSteps()));
                    }
                    Adaptation served = slow != null ? slow.slowAdaptation() : adapter.adaptation();
                    measure(table, label, model, served, docWindows, editWindows, k, first, probe);
                    // Each arm's figures as soon as they exist: a long run stopped part-way still leaves its measured seeds.
                    log.accept(String.format("seed %d/%d  %-18s %s", sd, s.lastSeed(), label, table.lastRow(label)));
                }
            }
        }
        table.note("after all " + k + " windows; last = window " + k + ", first = window" + (first == 1 ? " 1" : "s 1.." + first)
                + "; with MWI the slow (served) copy is measured");
        table.note("doc F1: greedy answers to the windows' documents' questions; edit eff: edit prompts answered with the new target");
        table.note("old QA EM: " + probe.qa().size() + " fixed old-world questions nothing changes; old ppl: " + probe.texts().size()
                + " fixed in-distribution old-world texts");
        table.note("mean ± sample std over " + s.seeds() + " seeds; a seed draws the documents, the edits and their order");
        return table;
    }

    private static <T> List<T> window(List<List<T>> windows, int w) {
        return w < windows.size() ? windows.get(w) : List.of();
    }

    private static void measure(EvalTable t, String row, LanguageModel model, Adaptation served, List<List<WorldDocument>> docs, List<List<WorldEdit>> edits,
            int k, int first, OldWorldProbe probe) {
        t.add(row, LAST_F1, docF1(model, served, window(docs, k - 1)));
        t.add(row, LAST_EFFICACY, efficacy(model, served, window(edits, k - 1)));
        t.add(row, FIRST_F1, docF1(model, served, Slices.concat(docs, 0, Math.min(first, docs.size()))));
        t.add(row, FIRST_EFFICACY, efficacy(model, served, Slices.concat(edits, 0, Math.min(first, edits.size()))));
        OldWorldProbe.Result old = probe.measure(model, served);
        t.add(row, OLD_EM, old.exactMatch());
        t.add(row, OLD_PPL, old.perplexity());
    }

    private static double docF1(LanguageModel model, Adaptation a, List<WorldDocument> docs) {
        List<QaPair> qa = docs.stream().flatMap(d -> d.questions().stream()).toList();
        return qa.isEmpty() ? Double.NaN : BatchedAnswers.evaluate(model, a, qa).f1();
    }

    /** Edit prompts only: paraphrases and neighbours belong to {@code eval edits}, and would double the cost here. */
    private static double efficacy(LanguageModel model, Adaptation a, List<WorldEdit> edits) {
        if (edits.isEmpty()) {
            return Double.NaN;
        }
        List<String> got = BatchedAnswers.answers(model, a, edits.stream().map(WorldEdit::prompt).toList());
        int hits = 0;
        for (int i = 0; i < edits.size(); i++) {
            hits += QaEval.exactMatch(got.get(i), edits.get(i).target()) ? 1 : 0;
        }
        return (double) hits / edits.size();
    }
}
