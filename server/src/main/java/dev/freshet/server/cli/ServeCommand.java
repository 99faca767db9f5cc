package dev.freshet.server.cli;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.adaptation.mwi.MwiSettings;
import dev.freshet.adaptation.world.TextsFile;
import dev.freshet.server.app.Freshet;
import dev.freshet.server.app.Gates;
import dev.freshet.server.app.Role;
import dev.freshet.server.http.HttpConfig;
import dev.freshet.server.serving.ProbeSetGate;
import dev.freshet.server.training.MwiScope;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.streams.embedded.EmbeddedKafka;
import dev.freshet.streams.kafka.Topics;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code serve}: the whole server until interrupted. Starts (or connects to) Kafka, creates the topics,
 * restores every tenant's promoted adapter version, starts the training worker and the documents and edits
 * consumers, then the HTTP API; see {@link Freshet} for the order. Ctrl-C or SIGTERM stops it cleanly.
 */
final class ServeCommand implements Command {

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "consume documents and edits from Kafka, adapt, and serve over HTTP";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet serve [options]

            Consumes DOCUMENTS and EDITS from Kafka (topics PREFIX.documents, PREFIX.edits; key = tenant),
            adapts each tenant's adapter on one training thread, gates and hot-swaps every new version, and
            serves the OpenAI-shaped HTTP API (POST /v1/completions, /v1/score, /v1/documents, /v1/edits;
            GET /v1/models, /v1/adapters/TENANT; POST /v1/adapters/TENANT/rollback; /health/live,
            /health/ready, /metrics). Restores every tenant's promoted version from DIR/adapters.
            Stop with Ctrl-C or SIGTERM.

              --kafka HOST:PORT    an existing broker; default: an embedded broker under DIR/kafka
              --kafka-port N       the embedded broker's client port (default 9092; 0 = any free port)
              --topic-prefix P     topic name prefix (default freshet)
              --partitions N       partitions of the topics when created (default 4)
              --http-port N        TCP port (default 8080)
              --http-host ADDR     address to bind (default 0.0.0.0)
              --data-dir DIR       adapter store, broker data and state (default ./freshet-data)
              --max-in-flight N    concurrent model requests before 429 (default 64)
              --max-body-bytes N   largest request body before 413 (default 1048576)
              --infer-threads N    threads running model calls (default 2)
              --lr X               document training learning rate (default 1e-4)
              --edit-lr X          learning rate of ft-bf edits (default 1e-3; locft-* carry their own)
              --edit-method M      how edits train: locft-keys (default; LocFT-BF: only a dense delta at --edit-location,
                                   breadth-first with replay and a stop rule, stepped so that held-out old-world
                                   questions move least), locft-bf (the same on the LoRA pair there, plain steps) or
                                   ft-bf (every adapter tensor, eight passes)
              --edit-location MOD  the adapter module LocFT-BF trains (default: the last layer's MLP output projection)
              --edit-preserve FILE locft-keys: texts whose outputs edits keep, JSONL of {"text"} or
                                   {"question","answer"} lines (default: the default model's held-out questions)
              --mwi-tau X          momentum weight interpolation: each version holds a slow copy that moves
                                   slow = X·slow + (1−X)·trained after every training step (default 0: off,
                                   versions hold the trained weights; see the README for what MWI measured)
              --mwi-every N        training steps between interpolations (default 1)
              --mwi-reset R        never (default) or per-version: trained weights start each round from the slow copy
              --mwi-scope S        all (default) or documents: the slow copy follows what documents train and
                                   versions hold locft-keys' edit deltas as trained, so corrections serve at once
              --no-gate            promote every version without the quality gate
              --weighting W        how document tokens are weighted in training: uniform (default), salient-spans,
                                   tfidf, or camels (the bundled meta-trained weighting model of the default model)
              --weighting-dir DIR  a bin/freshet meta-train output (DIR/best) for camels on another base model
              --gate-max-perplexity-rise X   relative rise of old-world perplexity the gate lets through (default 0.05)
              --gate-max-exact-match-drop X  fall of neighbourhood exact match it lets through, 0..1 (default 0.05)
              --gate-max-perplexity-rise-from-base X   rise over the base model's perplexity any version may
                                   reach, however small its steps (default off: no bound; e.g. 0.5)
              --gate-probes FILE   what the gate measures: JSONL of {"text"} lines (perplexity) and
                                   {"question","answer"} lines (exact match); default: a sample of the default
                                   model's synthetic world (give your own with --model)
              --role R             all (train and serve, default), trainer (train and announce versions on
                                   PREFIX.adapters), or server (serve only: follow PREFIX.adapters)
              --config FILE        a properties file of these options (key = option name, e.g. http-port=8080)
                                   and Kafka client properties (kafka.security.protocol=SASL_SSL, kafka.sasl.*)
            Precedence: --config file < environment < flags. Environment: FRESHET_<OPTION> (e.g.
            FRESHET_HTTP_PORT=8080, FRESHET_ROLE=server, FRESHET_CONFIG=FILE) and FRESHET_KAFKA_CLIENT_<PROPERTY>
            (e.g. FRESHET_KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL, '_' read as '.').
            The admin token protecting rollback and the write routes is read from the FRESHET_ADMIN_TOKEN
            environment variable (not an option, so it never shows in a process list); unset leaves them open.
            """ + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("http-port", "http-host", "data-dir", "max-in-flight", "max-body-bytes", "infer-threads", "model", "device",
                "kafka", "kafka-port", "topic-prefix", "partitions", "lr", "edit-lr", "role", "config", "weighting", "weighting-dir", "gate-max-perplexity-rise",
                "gate-max-exact-match-drop", "gate-max-perplexity-rise-from-base", "gate-probes", "mwi-tau", "mwi-every", "mwi-reset", "mwi-scope",
                "edit-method", "edit-location", "edit-preserve");
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of("no-gate");
    }

    @Override
    public int run(Args flags) throws Exception {
        Args a = ConfigLayers.resolve(flags, System.getenv(), valuedOptions(), flagOptions());
        HttpConfig http = HttpConfig.defaults().withHost(a.get("http-host", "0.0.0.0")).withPort(a.getInt("http-port", 8080))
                .withLimits(a.getLong("max-body-bytes", 1 << 20), a.getInt("max-in-flight", 64))
                .withInferenceThreads(a.getInt("infer-threads", 2)).withAdminToken(System.getenv("FRESHET_ADMIN_TOKEN"));
        Freshet.Options options = options(a, Path.of(a.get("data-dir", "freshet-data")), a.getInt("kafka-port", EmbeddedKafka.DEFAULT_PORT), http);
        LanguageModel model = Models.open(a);
        Freshet freshet;
        try {
            freshet = Freshet.start(options, model);
        } catch (Exception e) {
            model.close();
            throw e;
        }
        System.out.printf("freshet: %s: serving %s on http://%s:%d, Kafka at %s (topics %s.*), data in %s; Ctrl-C stops%n", options.role().flag(), model.id(),
                http.host(), freshet.httpPort(), freshet.bootstrapServers(), freshet.topics().prefix(), options.dataDir().toAbsolutePath());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("freshet: shutting down");
            freshet.close(); // HTTP, consumers (commit), worker, registry, broker: in that order
            model.close();
            stopped.countDown();
        }, "freshet-shutdown"));
        stopped.await();
        return 0;
    }

    /** The composition options the shared flags of {@code serve} and {@code demo} describe. */
    static Freshet.Options options(Args a, Path dataDir, int kafkaPort, HttpConfig http) {
        Freshet.Options o = Freshet.Options.defaults(dataDir, kafkaPort, http)
                .withTopics(a.get("topic-prefix", Topics.DEFAULT_PREFIX), a.getInt("partitions", 4));
        if (a.has("kafka")) {
            o = o.withKafka(a.get("kafka", null));
        }
        if (a.has("lr")) {
            float lr = a.getFloat("lr", TrainingSettings.DOCUMENT_LR);
            o = o.withTraining(s -> s.withSchedule(lr, s.documentEpochs(), s.editEpochs()));
        }
        if (a.has("edit-lr")) {
            float lr = a.getFloat("edit-lr", TrainingSettings.EDIT_LR);
            o = o.withTraining(s -> s.withEditLearningRate(lr));
        }
        if (a.has("edit-method") || a.has("edit-location")) {
            String method = a.get("edit-method", TrainingSettings.DEFAULT_EDIT_METHOD);
            String location = a.get("edit-location", null);
            o = o.withTraining(s -> s.withEdits(method, location));
        }
        if (a.has("mwi-tau") || a.has("mwi-every") || a.has("mwi-reset") || a.has("mwi-scope")) {
            // After the edit method: the documents scope is checked against it.
            MwiSettings mwi = new MwiSettings(a.getFloat("mwi-tau", 0f), a.getInt("mwi-every", 1),
                    MwiSettings.ResetPolicy.parse(a.get("mwi-reset", "never")));
            MwiScope scope = MwiScope.parse(a.get("mwi-scope", MwiScope.ALL.flag()));
            o = o.withTraining(s -> s.withMwi(mwi, scope));
        }
        if (a.has("edit-preserve")) {
            Path preserve = Path.of(a.get("edit-preserve", null));
            o = o.withTraining(s -> s.withEditPreserve(preserve));
        }
        if (a.has("no-gate")) {
            o = o.withGate(Gates::none);
        } else if (a.has("gate-max-perplexity-rise") || a.has("gate-max-exact-match-drop") || a.has("gate-max-perplexity-rise-from-base")
                || a.has("gate-probes")) {
            ProbeSetGate.Thresholds d = ProbeSetGate.Thresholds.defaults();
            boolean unbounded = a.get("gate-max-perplexity-rise-from-base", "").equals("off");
            ProbeSetGate.Thresholds t = new ProbeSetGate.Thresholds(a.getDouble("gate-max-perplexity-rise", d.maxPerplexityIncrease()),
                    a.getDouble("gate-max-exact-match-drop", d.maxExactMatchDrop()),
                    unbounded ? Double.POSITIVE_INFINITY : a.getDouble("gate-max-perplexity-rise-from-base", d.maxPerplexityRiseFromBase()));
            // Read here, so a bad file stops serve at start with its line named.
            TextsFile probes = a.has("gate-probes") ? TextsFile.read(Path.of(a.get("gate-probes", null)), "gate-probes") : null;
            o = o.withGate(m -> Gates.forModel(m, t, probes));
        }
        if (a.has("role")) {
            o = o.withRole(Role.parse(a.get("role", "all")));
        }
        if (a.has("weighting") || a.has("weighting-dir")) {
            o = o.withWeighting(a.get("weighting", "camels"), a.has("weighting-dir") ? Path.of(a.get("weighting-dir", null)) : null);
        }
        // A dry run of the training options on a family's defaults (the options change nothing the family decides), so
        // a combination they refuse together (e.g. --mwi-scope documents with ft-bf) stops serve before anything starts.
        o.training().apply(TrainingSettings.defaults(ModelConfig.Family.GPT2));
        return o.withKafkaClient(a.withPrefix(ConfigLayers.KAFKA_PREFIX));
    }
}
