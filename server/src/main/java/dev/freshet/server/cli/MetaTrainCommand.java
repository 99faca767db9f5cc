package dev.freshet.server.cli;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.adapter.AdapterSpec;
import dev.freshet.adaptation.camels.InnerParameters;
import dev.freshet.adaptation.camels.MetaConfig;
import dev.freshet.adaptation.camels.MetaGradient;
import dev.freshet.adaptation.camels.MetaTrainer;
import dev.freshet.adaptation.camels.WeightingModel;
import dev.freshet.adaptation.eval.EvalData;
import dev.freshet.adaptation.eval.Weightings;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.pretrain.PretrainConfig;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldSize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code meta-train}: CaMeLS meta-training of the token-weighting model (Hu et al., arXiv 2305.15076 §3) on the
 * documents of a synthetic world, with resumable checkpoints. See {@link MetaTrainer}.
 */
final class MetaTrainCommand implements Command {

    @Override
    public String name() {
        return "meta-train";
    }

    @Override
    public String summary() {
        return "meta-train the CaMeLS token-weighting model (resumable)";
    }

    @Override
    public String help() {
        MetaConfig d = MetaConfig.DEFAULT;
        return """
            usage: bin/freshet meta-train [--out DIR] [--steps N] [--resume] [options]

            Learns which tokens of a document matter: a small weighting model (the first blocks of the base model plus
            a head) is trained so that one SGD step on its token-weighted loss lets the base model answer the
            document's questions, without moving its predictions on text it already knew (λ·KL). The meta-gradient
            is exact (inner steps from fixed weights, no second-order autograd). Writes DIR/checkpoint (resumable),
            DIR/best and DIR/last (weighting.safetensors F16 + weighting.json) and DIR/meta-training.json.

            Documents come from a world generated with --world-seed, by default one that is NOT the base model's
            (--base-world-seed), so the evaluation stream of the base model's world is never meta-trained on; the
            locality term reads the base world's pretraining texts.

              --out DIR            output folder (default out/camels)
              --steps N            outer steps (default %d)
              --resume             continue from DIR/checkpoint when it exists
              --seed N             data-order seed (default %d)
              --world-seed N       world whose documents are meta-trained on (default base world seed + 1)
              --base-world-seed N  the base model's own world (default %d)
              --validation N       documents held out for the validation outer loss (default 60)
              --docs-per-step N    documents per outer step (default %d)
              --inner-lr X         α of the inner SGD step (default %s)
              --meta-lr X          Adam learning rate of the weighting model (default %s)
              --locality X         λ of the KL term (default %s)
              --max-doc-tokens N   documents cut to N tokens (default %d)
              --backbone-layers N  blocks of the base model the weighting backbone copies (default 2)
              --normalize          average each document's weights to 1, so only their distribution is learned
                                   (the test-time Adam step ignores their scale); pass it again with --resume
              --chained            one inner step per document, in order, scored after the last (the paper's form;
                                   exact through Hessian-vector products, 1.5–2 times the time per step); default:
                                   one inner step on all the step's documents from the same θ
              --precondition-docs N  precondition the inner step with Adam's second moments estimated from N training
                                   documents, so it moves θ as online learning's Adam does (pair it with --inner-lr
                                   at online learning's rate, e.g. 1e-4); 0 (default): plain SGD, the paper's
              --compare LIST       instead of training: the validation outer loss of fixed weightings under these
                                   settings, e.g. uniform,salient-spans,tfidf,camels,oracle (oracle: weight on the
                                   answers the questions ask for); does the objective reward what the evaluation does?
              --weighting DIR      the camels weighting model --compare scores (default: the bundled one)
              --inner SPEC         what the inner step updates: all (default) or an adapter spec, e.g.
                                   delta:targets=h.3.mlp.c_proj
              --checkpoint-every N steps between checkpoints (default %d)
              --validate-every N   steps between validations (default %d)
              --memory-every N     steps between RSS reports (default %d)
            """.formatted(d.steps(), d.seed(), PretrainConfig.DEFAULT.seed(), d.docsPerStep(), d.innerLr(), d.metaLr(), d.locality(),
                d.maxDocTokens(), d.checkpointEvery(), d.validateEvery(), d.memoryEvery()) + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("out", "steps", "seed", "world-seed", "base-world-seed", "validation", "docs-per-step", "inner-lr", "meta-lr", "locality",
                "max-doc-tokens", "backbone-layers", "inner", "precondition-docs", "compare", "weighting", "checkpoint-every", "validate-every", "memory-every", "model", "device");
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of("resume", "normalize", "chained");
    }

    @Override
    public int run(Args a) throws Exception {
        MetaConfig d = MetaConfig.DEFAULT;
        MetaConfig cfg = new MetaConfig(a.getInt("steps", d.steps()), a.getInt("docs-per-step", d.docsPerStep()), a.getFloat("inner-lr", d.innerLr()),
                a.getFloat("locality", d.locality()), a.getFloat("meta-lr", d.metaLr()), a.getInt("max-doc-tokens", d.maxDocTokens()),
                d.unrelatedPerStep(), d.unrelatedTokens(), d.fdStep(), a.getInt("validate-every", d.validateEvery()),
                a.getInt("checkpoint-every", d.checkpointEvery()), a.getInt("memory-every", d.memoryEvery()), a.getLong("seed", d.seed()), a.has("chained"),
                a.getInt("precondition-docs", d.preconditionDocs()));
        long baseSeed = a.getLong("base-world-seed", PretrainConfig.DEFAULT.seed());
        long worldSeed = a.getLong("world-seed", baseSeed + 1);
        int validation = a.getInt("validation", 60);
        World world = World.generate(worldSeed, WorldSize.DEFAULT);
        List<WorldDocument> docs = world.documents();
        if (validation < 0 || validation >= docs.size()) {
            throw new IllegalArgumentException("--validation must be in 0.." + (docs.size() - 1));
        }
        List<WorldDocument> train = docs.subList(0, docs.size() - validation);
        List<WorldDocument> held = docs.subList(docs.size() - validation, docs.size());
        List<String> unrelated = World.generate(baseSeed, WorldSize.DEFAULT).pretrainingTexts();
        String inner = a.get("inner", "all");
        try (LanguageModel model = Models.open(a);
                WeightingModel weighting = WeightingModel.fromBase(model, a.getInt("backbone-layers", 2), cfg.seed()).normalized(a.has("normalize"));
                Adapter adapter = inner.equals("all") ? null : Adapter.create(model, AdapterSpec.parse(inner), "camels-meta", cfg.seed());
                InnerParameters theta = adapter == null ? InnerParameters.allBaseWeights(model) : InnerParameters.adapter(model, adapter)) {
            System.out.printf("world %d: %d training and %d validation documents; locality texts from world %d%n", worldSeed, train.size(), held.size(),
                    baseSeed);
            try (MetaTrainer trainer = new MetaTrainer(theta, weighting, cfg, train, held, unrelated, System.out)) {
                if (a.has("compare")) {
                    return compare(trainer, List.of(a.get("compare", "").split(",")), a.has("weighting") ? Path.of(a.get("weighting", "")) : null,
                            model, world);
                }
                MetaTrainer.Report r = trainer.train(Path.of(a.get("out", "out/camels")), a.has("resume"));
                System.out.printf("done: best validation outer loss %.4f at step %d (uniform w=1: %.4f, no update: %.4f)%n", r.bestValidation(),
                        r.bestStep(), r.uniformValidation(), r.noUpdateValidation());
            }
        }
        return 0;
    }

    /** Prints the validation outer loss of fixed weightings under this command's inner step and objective. */
    private static int compare(MetaTrainer trainer, List<String> names, Path weightingDir, LanguageModel model, World world) throws IOException {
        try (Weightings ws = Weightings.open(names, weightingDir, model, EvalData.fromWorld(world))) {
            System.out.printf("%nvalidation outer loss of fixed weightings, each document's weights averaged to 1:%n%-22s %10s %10s %10s%n", "weighting",
                    "outer", "answer NLL", "KL");
            for (String n : names) {
                MetaGradient.Outer o = trainer.validationLossOf(ws.get(n));
                System.out.printf("%-22s %10.4f %10.4f %10.4f%n", ws.label(n), o.total(), o.answerNll(), o.localityKl());
            }
            ws.notes().forEach(note -> System.out.println("  * " + note));
        }
        return 0;
    }
}
