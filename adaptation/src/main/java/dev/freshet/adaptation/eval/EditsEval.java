package dev.freshet.adaptation.eval;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.editing.BreadthFirstEditor;
import dev.freshet.adaptation.editing.EditLocations;
import dev.freshet.adaptation.editing.EditMetrics;
import dev.freshet.adaptation.editing.EditOrder;
import dev.freshet.adaptation.editing.EditResult;
import dev.freshet.adaptation.editing.EditSettings;
import dev.freshet.adaptation.editing.EditTrainer;
import dev.freshet.adaptation.editing.KeyPreconditioner;
import dev.freshet.adaptation.model.Adaptation;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.WorldEdit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code eval edits}: N sequential fact edits fed in windows, LocFT-BF against the fine-tuning editors it replaces
 * (Yang et al., arXiv 2509.22072, sequential editing).
 *
 * <p>Arms, each a fresh dense delta per seed: <b>LocFT-BF</b> (breadth-first at one localized module with replay),
 * <b>FT depth-first</b> (each edit to convergence in turn, same module, no replay) and <b>FT full layer</b>
 * (breadth-first over every projection of the module's layer at a tenth of the learning rate, as the paper lowers it
 * for whole layers), and <b>LocFT-BF + retain</b> (LocFT-BF whose windows also train on {@link #RETAIN} questions about
 * the document stream's entities with the unedited model's answers: {@link BreadthFirstEditor#retain}; skipped when the
 * data has no documents), and, asked for by name, <b>LocFT-BF + old retain</b> (the same with anchors drawn from
 * held-out old-world questions instead: {@link #oldWorldRetainSet}; skipped when the data has none), and <b>LocFT-BF + key
 * precond.</b> (LocFT-BF stepping with SGD along the gradient preconditioned by the keys of questions no measurement
 * reads, {@link #keyTexts}, {@link BreadthFirstEditor#precondition}; skipped when the data has none). After the last
 * window all edits so far are measured (efficacy, paraphrase generalisation, neighbour locality; {@link EditMetrics})
 * with the old-world perplexity. The unedited model is a reference row.
 */
public final class EditsEval {

    private EditsEval() {}

    /**
     * @param edits N, capped at what the data holds (the default world has 356)
     * @param window edits per window handed to the trainer
     * @param seeds runs; a seed draws the edit sample, its order, the epoch shuffles and the replay sample
     * @param edit trainer settings (learning rate, batch, epochs, replay, depth-first steps)
     * @param location the localized module, e.g. {@code h.3.mlp.c_proj}
     * @param oldTexts old-world texts in the perplexity probe
     * @param retain anchors per window of the {@code LocFT-BF + retain} arm ({@link BreadthFirstEditor#retain})
     * @param keyRidge the {@code LocFT-BF + key precond.} arm's ridge ({@link KeyPreconditioner#fit})
     * @param keyLearningRate that arm's SGD learning rate
     */
    public record Settings(int edits, int window, int seeds, long firstSeed, EditSettings edit, String location, int oldTexts, int retain,
            double keyRidge, float keyLearningRate) implements SeedRange {

        /**
         * LocFT's reference settings at batch 16 with up to 100 epochs: 25 epochs leave a window of 50 edits at 44%
         * efficacy on the default model, 100 reach 100% (the stop rule ends training earlier once learned).
         */
        public static final EditSettings TRAINING = EditSettings.DEFAULTS.withMaxEpochs(100);
        /**
         * Windows of 50: the regime where 100 epochs are measured to learn a window, and half the cost of windows of 20,
         * since every breadth-first window replays all earlier edits (up to the replay bound): 100 edits in windows of
         * 20 took 11 minutes on 2 cores for three seeds, over the quick budget.
         */
        public static final Settings FULL = new Settings(1000, 50, 3, 1, TRAINING, "h.3.mlp.c_proj", 64, RETAIN, KEY_RIDGE, KEY_LR);
        /**
         * The {@code --quick} sizes: 100 edits in two windows at up to 50 epochs. At 100 epochs one seed took 4.4
         * minutes on a shared 2-core machine; at 50 it took 3.4 and, on seed 1, LocFT-BF kept its efficacy and
         * generalisation (97 / 96% against 100 / 96.5%) with better locality (84% against 80%).
         */
        public static final Settings QUICK = new Settings(100, 50, 3, 1, TRAINING.withMaxEpochs(50), "h.3.mlp.c_proj", 32, RETAIN, KEY_RIDGE, KEY_LR);

        public Settings {
            if (edits < 1 || window < 1 || seeds < 1 || oldTexts < 0 || retain < 0) {
                throw new IllegalArgumentException("edits: edits, window and seeds must be >= 1, probe and retain sizes >= 0");
            }
            if (!(keyRidge > 0) || !(keyLearningRate > 0) || Double.isInfinite(keyRidge) || Float.isInfinite(keyLearningRate)) {
                throw new IllegalArgumentException("edits: the key preconditioner's ridge and learning rate must be positive numbers");
            }
        }
    }

    /** Column keys of the table. */
    public static final String EFFICACY = "efficacy";
    public static final String GENERALIZATION = "generalization";
    public static final String LOCALITY = "locality";
    public static final String MEAN = "mean";
    public static final String OLD_PPL = "old_ppl";
    public static final String SECONDS_PER_EDIT = "s_per_edit";

    /** Anchors per window of the retain arm: about half of a late window's edits and replay. */
    public static final int RETAIN = 128;
    /** Ridge of the key-preconditioned arm, relative to the keys' mean energy per dimension. */
    public static final double KEY_RIDGE = 0.01;
    /** SGD learning rate of the key-preconditioned arm. */
    public static final float KEY_LR = 0.1f;
    /** Retain prompts drawn from the documents' questions: new entities, disjoint from every edit's neighbours. */
    static final int RETAIN_POOL = 1000;

    /**
     * Arm keys, for running a subset ({@code --arms}): LocFT-BF, depth-first FT, whole-layer FT, LocFT-BF with a retain set
     * of document questions, with one of held-out old-world questions, and with the key preconditioner.
     */
    public static final List<String> ARM_KEYS = List.of("locft", "df", "layer", "retain", "retain-old", "precond");
    /** The arms run unless {@code --arms} says otherwise: the old-world retain arm is an experiment, asked for by name. */
    public static final List<String> DEFAULT_ARMS = List.of("locft", "df", "layer", "retain", "precond");
    /**
     * The {@code --quick} default: without the retain arm, which adds little at 100 edits (locality 84.0 against 81.8 %)
     * and with the key-preconditioned arm would take the run past 10 minutes on 2 cores (11 measured).
     */
    public static final List<String> QUICK_ARMS = List.of("locft", "df", "layer", "precond");

    /** One compared editor: where it trains, in which order, at which rate. */
    record Arm(String key, String label, List<String> modules, EditOrder order, float learningRate) {}

    /**
     * The arms for a model: the localized modules ({@code location}, one projection or several joined by {@code +}, each
     * with its own delta, spread over layers as MEMIT spreads an update), and the whole layer holding the first.
     */
    static List<Arm> arms(LanguageModel model, Settings s) {
        List<String> modules = modules(s.location());
        List<EditLocations.Location> candidates = EditLocations.candidates(model);
        for (String m : modules) {
            if (candidates.stream().noneMatch(l -> l.wholeLayer() && l.modules().contains(m))) {
                throw new IllegalArgumentException("edit location '" + m + "' is no projection of " + model.id() + "; candidates: "
                        + candidates.stream().filter(l -> l.modules().size() == 1).map(l -> l.modules().get(0)).toList());
            }
        }
        EditLocations.Location layer = candidates.stream().filter(l -> l.wholeLayer() && l.modules().contains(modules.get(0))).findFirst().orElseThrow();
        float lr = s.edit().learningRate();
        return List.of(
                new Arm("locft", "LocFT-BF", modules, EditOrder.BREADTH_FIRST, lr),
                new Arm("df", "FT depth-first", modules, EditOrder.DEPTH_FIRST, lr),
                new Arm("layer", "FT full layer (BF)", layer.modules(), EditOrder.BREADTH_FIRST, lr / 10),
                new Arm("retain", "LocFT-BF + retain", modules, EditOrder.BREADTH_FIRST, lr),
                new Arm("retain-old", "LocFT-BF + old retain", modules, EditOrder.BREADTH_FIRST, lr),
                new Arm("precond", "LocFT-BF + key precond.", modules, EditOrder.BREADTH_FIRST, s.keyLearningRate()));
    }

    /** The modules of a location: {@code h.2.mlp.c_proj+h.3.mlp.c_proj} names two. */
    static List<String> modules(String location) {
        return List.of(location.split("\\+"));
    }

    public static EvalTable run(LanguageModel model, EvalData data, Settings s, Consumer<String> progress) {
        return run(model, data, s, DEFAULT_ARMS, progress);
    }

    /** Runs the arms named in {@code armKeys} (a subset of {@link #ARM_KEYS}), e.g. one arm while tuning it. */
    public static EvalTable run(LanguageModel model, EvalData data, Settings s, List<String> armKeys, Consumer<String> progress) {
        for (String k : armKeys) {
            if (!ARM_KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown edits arm '" + k + "'; arms are " + ARM_KEYS);
            }
        }
        Consumer<String> log = progress == null ? line -> { } : progress;
        List<WorldEdit> all = data.requireEdits();
        OldWorldProbe probe = data.probe(0, s.oldTexts());
        boolean retain = armKeys.contains("retain") && !data.documents().isEmpty();
        boolean retainOld = armKeys.contains("retain-old") && !data.heldOutQa().isEmpty();
        List<String> keyTexts = armKeys.contains("precond") ? keyTexts(data) : List.of();
        boolean precond = !keyTexts.isEmpty();
        List<Arm> arms = arms(model, s).stream()
                .filter(a -> armKeys.contains(a.key()) && (retain || !a.key().equals("retain")) && (retainOld || !a.key().equals("retain-old"))
                        && (precond || !a.key().equals("precond")))
                .toList();
        int n = Math.min(s.edits(), all.size());
        EvalTable table = new EvalTable("edits", List.of(
                EvalTable.Column.percent(EFFICACY, "efficacy %"),
                EvalTable.Column.percent(GENERALIZATION, "general. %"),
                EvalTable.Column.percent(LOCALITY, "locality %"),
                EvalTable.Column.percent(MEAN, "mean %"),
                EvalTable.Column.number(OLD_PPL, "old ppl", 3),
                EvalTable.Column.number(SECONDS_PER_EDIT, "s/edit", 3)));
        table.setting("data", data.source());
        table.setting("model", model.id());
        table.setting("edits", n);
        table.setting("window", s.window());
        table.setting("seeds", s.seeds());
        table.setting("first_seed", s.firstSeed());
        table.setting("training", s.edit());
        for (Arm a : arms) {
            table.setting("arm " + a.label(), a.order().shortName() + " at " + a.modules() + ", lr " + a.learningRate()
                    + (a.key().startsWith("retain") ? ", " + s.retain() + " retain prompts per window" : "")
                    + (a.key().equals("precond") ? ", SGD momentum " + BreadthFirstEditor.PRECONDITIONED_MOMENTUM
                            + " on the gradient preconditioned by the keys of questions no measurement reads, ridge " + s.keyRidge() : ""));
        }
        if (armKeys.contains("retain") && !retain) {
            table.note("no documents in " + data.source() + " to draw retain prompts from: the LocFT-BF + retain arm is skipped");
        }
        if (armKeys.contains("precond") && !precond) {
            table.note("no held-out old-world questions (heldout_qa.jsonl) or documents in " + data.source()
                    + " to read preserved keys from: the key-preconditioned arm is skipped");
        }
        if (armKeys.contains("retain-old") && !retainOld) {
            table.note("no held-out old-world questions in " + data.source() + " (heldout_qa.jsonl): the LocFT-BF + old retain arm is skipped");
        }
        List<WorldEdit> anchors = retain ? retainSet(model, data, log) : List.of();
        List<WorldEdit> oldAnchors = retainOld ? oldWorldRetainSet(model, data, log) : List.of();
        List<KeyPreconditioner> keys = new ArrayList<>();
        if (arms.stream().anyMatch(a -> a.key().equals("precond"))) {
            for (String module : modules(s.location())) {
                keys.add(KeyPreconditioner.fit(model, module, keyTexts, s.keyRidge(), log));
            }
            table.setting("key preconditioner", (keys.size() > 1 ? keys.size() + " modules, each " : "") + keys.get(0).keys()
                    + " keys from the held-out old-world questions with their answers and the document questions' prompts");
        }
        if (n < s.edits()) {
            // Not an error: the default world has fewer editable facts than the full setting asks for.
            String capped = "asked for " + s.edits() + " edits; the data holds only " + all.size() + ", so N = " + n;
            table.note(capped);
            log.accept(capped);
        }
        for (int seed = 0; seed < s.seeds(); seed++) {
            long sd = s.firstSeed() + seed;
            List<WorldEdit> edits = Slices.shuffled(Slices.sample(all, n, sd), sd);
            List<List<WorldEdit>> windows = Slices.windows(edits, s.window());
            record(table, "(unedited)", BatchedAnswers.editScores(model, Adaptation.NONE, edits), probe.measure(model, Adaptation.NONE), Double.NaN);
            for (Arm arm : arms) {
                try (Adapter adapter = Adapter.create(model, new AdapterSpec.Delta(arm.modules()), "eval-edits", sd)) {
                    EditSettings es = s.edit().withLearningRate(arm.learningRate()).withSeed(sd);
                    EditTrainer trainer = arm.order().trainer(model, adapter, arm.modules(), es);
                    if (arm.key().equals("retain")) {
                        ((BreadthFirstEditor) trainer).retain(anchors, s.retain());
                    } else if (arm.key().equals("retain-old")) {
                        ((BreadthFirstEditor) trainer).retain(oldAnchors, s.retain());
                    } else if (arm.key().equals("precond")) {
                        ((BreadthFirstEditor) trainer).precondition(keys);
                    }
                    double seconds = 0;
                    for (int w = 0; w < windows.size(); w++) {
                        EditResult r = trainer.apply(windows.get(w));
                        seconds += r.seconds();
                        log.accept(String.format("seed %d/%d  %-18s window %d/%d: %d edits trained, %d rounds, %d steps, loss %.4f, %.1f s", sd,
                                s.lastSeed(), arm.label(), w + 1, windows.size(), r.trainedEdits(), r.rounds(), r.appliedSteps(), r.finalLoss(), r.seconds()));
                    }
                    EditMetrics.Scores scores = BatchedAnswers.editScores(model, adapter.adaptation(), edits);
                    record(table, arm.label(), scores, probe.measure(model, adapter.adaptation()), seconds / edits.size());
                    // Every column of this seed at once, so a long run's figures survive even if it is stopped before the table.
                    log.accept(String.format("seed %d/%d  %-18s all %d edits: %s", sd, s.lastSeed(), arm.label(), edits.size(),
                            table.lastRow(arm.label())));
                }
            }
        }
        for (KeyPreconditioner k : keys) {
            k.close();
        }
        table.note("measured after the last window over ALL " + n + " edits; mean = (efficacy + generalisation + locality) / 3");
        table.note("old ppl: " + probe.texts().size() + " fixed in-distribution old-world (pretraining) texts; s/edit: training seconds per edit");
        table.note("mean ± sample std over " + s.seeds() + " seeds; a seed draws the edit order, epoch shuffles and replay sample");
        return table;
    }

    /**
     * The retain arm's anchors: questions about the document stream's entities (never edited, never a neighbour, not in
     * the old-world probe), each with the unedited model's greedy answer as its target.
     */
    static List<WorldEdit> retainSet(LanguageModel model, EvalData data, Consumer<String> log) {
        data.requireDocuments();
        List<WorldEdit> anchors = unedited(model, documentPrompts(data), "retain-");
        log.accept("retain set: " + anchors.size() + " document questions with the unedited model's answers");
        return anchors;
    }

    /**
     * The old-world retain arm's anchors: the held-out old-world questions ({@link EvalData#heldOutQa}), each with the
     * unedited model's greedy answer, minus any prompt a measurement reads (an edit's prompt or paraphrase, a neighbour,
     * the old-world QA probe). Why: the anchors of {@link #retainSet} are about entities the model never knew, while
     * the neighbours edits break are old facts about old subjects; these are the same kind of question, about the same
     * subjects and relations, and on the generated world no measurement can read them (held-out facts are never edited
     * and never a neighbour). Measured on the default model (356 edits, stop loss 0.1, 3 seeds) they keep neighbours
     * worse than the document anchors do (locality 50.7 % against 56.3 %), so they are not in the default arms.
     */
    static List<WorldEdit> oldWorldRetainSet(LanguageModel model, EvalData data, Consumer<String> log) {
        List<String> all = data.heldOutQa().stream().map(q -> QaFormat.prompt(q.question())).distinct().toList();
        Set<String> measured = measuredPrompts(data);
        List<String> prompts = all.stream().filter(p -> !measured.contains(p)).toList();
        List<WorldEdit> anchors = unedited(model, prompts, "retain-old-");
        log.accept("old-world retain set: " + anchors.size() + " held-out old-world questions with the unedited model's answers"
                + (all.size() > prompts.size() ? " (" + (all.size() - prompts.size()) + " left out: a measurement reads them)" : ""));
        return anchors;
    }

    /**
     * Where the key-preconditioned arm reads the keys it preserves, none of them a text any measurement reads: the
     * held-out old-world questions ({@link EvalData#heldOutQa}) with their answers, and up to
     * {@link #RETAIN_POOL} of the document stream's question prompts (the retain arm's pool: new entities, never edited,
     * never a neighbour on a generated world; any a measurement reads is left out for other data). Why questions: the
     * outputs to keep are answers, to questions of the same relations as the edits. Measured on the default model (356
     * edits, one seed): the held-out questions alone kept locality 49.0 %, with the document prompts 57.3 %; prose
     * pretraining texts added to them give six times their keys and swamp the question positions, so that no edit was
     * learned (efficacy 1 % at {@code --quick}).
     */
    static List<String> keyTexts(EvalData data) {
        Set<String> measured = measuredPrompts(data);
        List<String> texts = new ArrayList<>();
        data.heldOutQa().stream().filter(q -> !measured.contains(QaFormat.prompt(q.question()))).map(QaFormat::text).forEach(texts::add);
        documentPrompts(data).stream().filter(p -> !measured.contains(p)).forEach(texts::add);
        return texts;
    }

    /** Up to {@link #RETAIN_POOL} distinct question prompts of the document stream, drawn with the probe seed. */
    static List<String> documentPrompts(EvalData data) {
        List<String> prompts = data.documents().stream().flatMap(d -> d.questions().stream()).map(q -> QaFormat.prompt(q.question())).distinct().toList();
        return Slices.sample(prompts, Math.min(RETAIN_POOL, prompts.size()), EvalData.PROBE_SEED);
    }

    /** Every prompt a measurement reads: an edit's prompt or paraphrase, a neighbour, the old-world QA probe. */
    private static Set<String> measuredPrompts(EvalData data) {
        Set<String> measured = new HashSet<>();
        for (WorldEdit e : data.edits()) {
            measured.add(e.prompt());
            measured.addAll(e.paraphrases());
            e.neighbors().forEach(n -> measured.add(n.prompt()));
        }
        data.oldWorldQa().forEach(q -> measured.add(QaFormat.prompt(q.question())));
        return measured;
    }

    /** Each prompt with the unedited model's greedy answer as its target; prompts it answers with nothing are left out. */
    private static List<WorldEdit> unedited(LanguageModel model, List<String> prompts, String idPrefix) {
        List<String> answers = BatchedAnswers.answers(model, Adaptation.NONE, prompts);
        List<WorldEdit> anchors = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            if (!answers.get(i).isBlank()) {
                anchors.add(new WorldEdit(idPrefix + i, prompts.get(i), answers.get(i), List.of(), List.of()));
            }
        }
        return anchors;
    }

    private static void record(EvalTable t, String row, EditMetrics.Scores s, OldWorldProbe.Result old, double secondsPerEdit) {
        t.add(row, EFFICACY, s.efficacy());
        t.add(row, GENERALIZATION, s.generalization());
        t.add(row, LOCALITY, s.locality());
        t.add(row, MEAN, (s.efficacy() + s.generalization() + s.locality()) / 3);
        t.add(row, OLD_PPL, old.perplexity());
        t.add(row, SECONDS_PER_EDIT, secondsPerEdit);
    }
}
