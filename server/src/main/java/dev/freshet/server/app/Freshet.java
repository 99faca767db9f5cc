package dev.freshet.server.app;

import dev.freshet.adaptation.camels.TokenWeighting;
import dev.freshet.adaptation.camels.TokenWeightings;
import dev.freshet.adaptation.camels.WeightingModel;
import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.http.HttpApiVerticle;
import dev.freshet.server.http.HttpConfig;
import dev.freshet.server.http.IngestRoutes;
import dev.freshet.server.http.Readiness;
import dev.freshet.server.metrics.FreshetMetrics;
import dev.freshet.server.metrics.RegistryMetrics;
import dev.freshet.server.metrics.TrainingMetrics;
import dev.freshet.server.replication.AdapterFollower;
import dev.freshet.server.replication.AdapterPublisher;
import dev.freshet.server.replication.ReplicationEvents;
import dev.freshet.server.serving.AdapterRegistry;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.FusionPolicy;
import dev.freshet.server.serving.QualityGate;
import dev.freshet.server.serving.RegistryListener;
import dev.freshet.server.training.DocumentWeighting;
import dev.freshet.server.training.EditLearner;
import dev.freshet.server.training.GateRejectionLetters;
import dev.freshet.server.training.IntakeSettings;
import dev.freshet.server.training.LocalizedEditLearner;
import dev.freshet.server.training.PartitionHandoff;
import dev.freshet.server.training.RegistrySink;
import dev.freshet.server.training.ServingPressure;
import dev.freshet.server.training.TrainingEvents;
import dev.freshet.server.training.TrainingQueue;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.server.training.TrainingWorker;
import dev.freshet.server.training.WeightedDocumentLearner;
import dev.freshet.server.verticle.AdaptersVerticle;
import dev.freshet.server.verticle.DocumentsVerticle;
import dev.freshet.server.verticle.EditsVerticle;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.embedded.EmbeddedKafka;
import dev.freshet.streams.kafka.CommitAfterDurable;
import dev.freshet.streams.kafka.DeadLetterPublisher;
import dev.freshet.streams.kafka.Topics;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, composed: what {@code bin/freshet serve} and {@code demo} run and what the end-to-end IT
 * drives. {@link #start} brings the parts up in dependency order, logging each stage:
 *
 * <ol>
 *   <li>the broker: the embedded KRaft broker under {@code <data-dir>/kafka} unless a bootstrap is given;
 *   <li>the topics ({@code <prefix>.documents}, {@code .edits}, {@code .adapters}, {@code .dead-letter});
 *   <li>the adapter registry over the store under the data dir, restoring every tenant's promoted version;
 *       versions made here are announced on the adapters topic ({@link AdapterPublisher}), and the
 *       adapters verticle serves what other replicas announce ({@link AdapterFollower});
 *   <li>with a training {@link Role}: the training worker (one thread), whose versions go through the quality
 *       gate into the registry ({@link RegistrySink}), and which yields while model requests are in flight;
 *       then the documents and edits consumer verticles. With role {@code server}: no training, and the
 *       HTTP API waits until the adapters topic has been caught up with;
 *   <li>the HTTP API, with {@code POST /v1/documents} and {@code /v1/edits}; then ready.
 * </ol>
 *
 * {@link #close} undoes it in reverse: not ready, stop HTTP, stop the consumers (committing durable
 * offsets), stop the worker (abandoning the round in progress, re-delivered after restart), close the
 * registry and the broker. The model belongs to the caller.
 */
public final class Freshet implements AutoCloseable {

    /**
     * What to start.
     *
     * @param dataDir adapter store and, with the embedded broker, {@code kafka/}
     * @param kafka {@code host:port,...} of an external broker; null starts the embedded one
     * @param kafkaPort the embedded broker's client port (0 picks a free one)
     * @param topicPrefix topic name prefix, normally {@code freshet}
     * @param partitions partitions of the documents and edits topics when they are created
     * @param http the HTTP API settings
     * @param training adjusts the model family's default training settings (identity for the defaults)
     * @param gate builds the quality gate for the model ({@link Gates#forModel} by default)
     * @param group the consumer group prefix
     * @param role what this process does: train, serve, or both
     * @param kafkaClient Kafka client properties passed to every client as given (security, timeouts)
     * @param weighting how documents' tokens are weighted in training: {@code uniform} (default),
     *     {@code salient-spans}, {@code tfidf} or {@code camels} (the bundled meta-trained weighting model for
     *     the bundled base model, or the one in {@code weightingDir})
     * @param weightingDir a {@code meta-train} output for {@code camels}; null for the bundled one
     */
    public record Options(Path dataDir, String kafka, int kafkaPort, String topicPrefix, int partitions, HttpConfig http,
            UnaryOperator<TrainingSettings> training, Function<LanguageModel, QualityGate> gate, String group, Role role,
            Map<String, String> kafkaClient, String weighting, Path weightingDir) {
        public Options {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(http, "http");
            Objects.requireNonNull(training, "training");
            Objects.requireNonNull(gate, "gate");
            Objects.requireNonNull(role, "role");
            kafkaClient = Map.copyOf(kafkaClient);
            Objects.requireNonNull(weighting, "weighting");
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
            }
        }

        /** Embedded broker on {@code kafkaPort}, prefix {@code freshet}, 4 partitions, default training, the probe-set gate, role all. */
        public static Options defaults(Path dataDir, int kafkaPort, HttpConfig http) {
            return new Options(dataDir, null, kafkaPort, Topics.DEFAULT_PREFIX, 4, http, UnaryOperator.identity(), Gates::forModel,
                    "freshet-trainer", Role.ALL, Map.of(), "uniform", null);
        }

        public Options withKafka(String bootstrap) {
            return new Options(dataDir, bootstrap, kafkaPort, topicPrefix, partitions, http, training, gate, group, role, kafkaClient, weighting, weightingDir);
        }

        public Options withTopics(String prefix, int n) {
            return new Options(dataDir, kafka, kafkaPort, prefix, n, http, training, gate, group, role, kafkaClient, weighting, weightingDir);
        }

        /** These options with {@code t} applied to the training settings after every change given before it. */
        public Options withTraining(UnaryOperator<TrainingSettings> t) {
            UnaryOperator<TrainingSettings> both = s -> t.apply(training.apply(s));
            return new Options(dataDir, kafka, kafkaPort, topicPrefix, partitions, http, both, gate, group, role, kafkaClient, weighting, weightingDir);
        }

        public Options withGate(Function<LanguageModel, QualityGate> g) {
            return new Options(dataDir, kafka, kafkaPort, topicPrefix, partitions, http, training, g, group, role, kafkaClient, weighting, weightingDir);
        }

        public Options withRole(Role r) {
            return new Options(dataDir, kafka, kafkaPort, topicPrefix, partitions, http, training, gate, group, r, kafkaClient, weighting, weightingDir);
        }

        /** Documents weighted by {@code name} ({@code camels} from {@code dir}, or the bundled model when null). */
        public Options withWeighting(String name, Path dir) {
            return new Options(dataDir, kafka, kafkaPort, topicPrefix, partitions, http, training, gate, group, role, kafkaClient, name, dir);
        }

        /** Extra Kafka client properties, e.g. {@code security.protocol=SASL_SSL} and the {@code sasl.*} settings. */
        public Options withKafkaClient(Map<String, String> props) {
            return new Options(dataDir, kafka, kafkaPort, topicPrefix, partitions, http, training, gate, group, role, props, weighting, weightingDir);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Freshet.class);

    private final List<AutoCloseable> toClose = new ArrayList<>(); // in start order; closed in reverse
    private final FreshetMetrics metrics = new FreshetMetrics();
    private final Readiness readiness = new Readiness();
    private Vertx vertx;
    private String bootstrap;
    private Topics topics;
    private AdapterRegistry registry;
    private TrainingSettings settings;
    private HttpApiVerticle api;
    private final List<String> consumers = new ArrayList<>();
    private String httpDeployment;

    private Freshet() {}

    /** Starts every part; on failure stops what had started and rethrows. */
    public static Freshet start(Options o, LanguageModel model) throws Exception {
        Freshet f = new Freshet();
        try {
            f.startAll(o, model);
            return f;
        } catch (Exception | Error e) {
            f.close();
            throw e;
        }
    }

    private void startAll(Options o, LanguageModel model) throws Exception {
        long t0 = System.nanoTime();
        String origin = o.role().flag() + "-" + UUID.randomUUID();
        // 1. broker
        if (o.kafka() == null) {
            LOG.info("[1/6] starting the embedded Kafka broker under {}", o.dataDir().resolve("kafka").toAbsolutePath());
            EmbeddedKafka kafka = EmbeddedKafka.start(o.dataDir().resolve("kafka"), o.kafkaPort());
            toClose.add(kafka);
            bootstrap = kafka.bootstrapServers();
        } else {
            bootstrap = o.kafka();
            LOG.info("[1/6] using the Kafka broker at {}", bootstrap);
        }
        Map<String, Object> client = new HashMap<>(o.kafkaClient());
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // 2. topics
        topics = new Topics(o.topicPrefix());
        try (Admin admin = Admin.create(client)) {
            topics.ensureCreated(admin, o.partitions(), (short) 1);
        }
        LOG.info("[2/6] topics ready: {} ({} partitions)", topics.all(), o.partitions());
        Map<String, Object> producerConfig = new HashMap<>(client);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.ADAPTERS_MAX_MESSAGE_BYTES); // inline adapter weights
        Producer<String, byte[]> producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        toClose.add(producer);
        RecordCodec codec = new RecordCodec();
        // 3. registry: versions made here are announced on the adapters topic; others' are followed from it
        AdapterStore store = new AdapterStore(o.dataDir());
        ReplicationEvents replication = outcome -> metrics.adapterEvents().labelValues(outcome).inc();
        AdapterPublisher announce = new AdapterPublisher(producer, topics.adapters(), codec, store, origin, AdapterPublisher.DEFAULT_INLINE_LIMIT,
                replication);
        registry = new AdapterRegistry(model, store,
                o.role().trains() ? RegistryListener.all(new RegistryMetrics(metrics), announce) : new RegistryMetrics(metrics));
        toClose.add(registry);
        int restored = registry.restore();
        LOG.info("[3/6] model {} loaded; {} tenant(s) restored from {}", model.id(), restored, store.root().toAbsolutePath());
        vertx = Vertx.vertx();
        toClose.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
        AdapterFollower follower = new AdapterFollower(topics.adapters(), codec, store, registry, origin, client, replication);
        String following = await(vertx.deployVerticle(new AdaptersVerticle(follower)));
        toClose.add(() -> await(vertx.undeploy(following)));
        // 4. trainer
        settings = o.training().apply(TrainingSettings.defaults(model.config().family()));
        if (o.role().trains()) {
            // Serving first: while any model request is in flight, training waits between steps (and the gate between probes).
            ServingPressure pressure = () -> metrics.httpInFlight().get() > 0;
            QualityGate gate = o.gate().apply(model).yieldingTo(pressure::requestsWaiting, settings.maxYield());
            TrainingMetrics trainingMetrics = new TrainingMetrics(metrics, Clock.systemUTC());
            TrainingQueue queue = new TrainingQueue(settings.queueCapacity());
            // A tenant taken over from another trainer resumes from the versions that trainer announced.
            TrainingWorker.CatchUp catchUp = () -> follower.awaitCurrent(Duration.ofSeconds(60));
            EditLearner edits = EditLearner.of(settings);
            if (settings.editPreserve() != null && !edits.method().equals(LocalizedEditLearner.KEYS_NAME)) {
                LOG.warn("edit-preserve {} is read by {} only; edits train with {}, which ignores it", settings.editPreserve(),
                        LocalizedEditLearner.KEYS_NAME, edits.method());
            }
            if (edits.method().equals(LocalizedEditLearner.KEYS_NAME) && settings.editPreserve() == null && !Gates.bundled(model)) {
                LOG.warn("{} keeps the outputs of the bundled default model's world, which {} never learned; give serve --edit-preserve FILE"
                        + " with texts or questions of this model's own domain", LocalizedEditLearner.KEYS_NAME, model.id());
            }
            if (edits instanceof LocalizedEditLearner localized) {
                localized.checkLocation(model, settings.adapter()); // a location the adapter lacks fails here, not on the first edit
                localized.prepare(model);
            }
            TrainingWorker.Learners learners = new TrainingWorker.Learners(documentLearner(model, settings, o.weighting(), o.weightingDir(), toClose), edits);
            DeadLetterPublisher deadLetters = new DeadLetterPublisher(producer, topics.deadLetter());
            TrainingEvents events = TrainingEvents.both(trainingMetrics, new GateRejectionLetters(deadLetters, codec));
            TrainingWorker worker = new TrainingWorker(model, settings, queue, learners, store,
                    new RegistrySink(store, registry, gate, trainingMetrics), pressure, events, catchUp);
            worker.start();
            toClose.add(() -> worker.stop().get(60, TimeUnit.SECONDS));
            LOG.info("[4/6] training worker {} started (document lr {}, batch {} records / {} ms, edits {}, {})", TrainingWorker.threadName(model.manager().getDevice()),
                    settings.learningRate(), settings.maxBatchRecords(), settings.maxBatchDelay().toMillis(), edits.method(),
                    settings.describeMwi());
            // 5. consumers
            IntakeSettings intake = new IntakeSettings(bootstrap, o.group(), 100, Duration.ofMillis(100), Duration.ofMillis(500), o.kafkaClient());
            // Before a rebalance moves partitions: stop training their records, make the rest durable and announced.
            PartitionHandoff handoff = parts -> worker.release(parts).thenRun(announce::flush);
            consumers.add(await(vertx.deployVerticle(
                    new DocumentsVerticle(topics, codec, queue, deadLetters, new CommitAfterDurable(), intake, trainingMetrics, handoff))));
            consumers.add(await(vertx.deployVerticle(
                    new EditsVerticle(topics, codec, queue, deadLetters, new CommitAfterDurable(), intake, trainingMetrics, handoff))));
            toClose.add(() -> {
                for (String id : consumers) {
                    await(vertx.undeploy(id)); // each commits the offsets its policy allows
                }
            });
            LOG.info("[5/6] consuming {} and {} as group {}.*", topics.documents(), topics.edits(), o.group());
        } else {
            LOG.info("[4/6] role {}: no training; following {} for every tenant's versions", o.role().flag(), topics.adapters());
            LOG.info("[5/6] waiting to catch up with {}", topics.adapters());
            follower.caughtUp().get(5, TimeUnit.MINUTES);
        }
        // A tenant that takes most of the traffic is served from its fused adapter (FusionPolicy).
        ScheduledExecutorService fusing = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "freshet-fuse");
            t.setDaemon(true);
            return t;
        });
        FusionPolicy fusion = FusionPolicy.defaults();
        fusing.scheduleWithFixedDelay(() -> fusion.tick(registry), 10, 10, TimeUnit.SECONDS);
        toClose.add(fusing::shutdownNow);
        // 6. HTTP
        api = new HttpApiVerticle(o.http(), registry, metrics, readiness, List.of(new IngestRoutes(producer, topics, codec)));
        httpDeployment = await(vertx.deployVerticle(api));
        toClose.add(() -> await(vertx.undeploy(httpDeployment)));
        readiness.ready();
        LOG.info("[6/6] HTTP API on http://{}:{}; {} ready in {} ms", o.http().host(), api.actualPort(), o.role().flag(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The document learner {@code weighting} names ({@code uniform}, {@code salient-spans}, {@code tfidf}, {@code camels}:
     * the bundled weighting model, or the {@code meta-train} output in {@code weightingDir}); a weighting model it loads
     * is added to {@code closeLater}.
     */
    public static WeightedDocumentLearner documentLearner(LanguageModel model, TrainingSettings settings, String weighting, Path weightingDir,
            List<AutoCloseable> closeLater) throws IOException {
        if (weighting.equals("uniform")) {
            return WeightedDocumentLearner.uniform(settings);
        }
        if (weighting.equals("none")) {
            throw new IllegalArgumentException("--weighting none would train nothing; use uniform, salient-spans, tfidf or camels");
        }
        WeightingModel camels = weighting.equals("camels") ? TokenWeightings.camelsModel(model, weightingDir) : null;
        if (camels != null) {
            closeLater.add(camels);
        }
        List<String> corpus = weighting.equals("tfidf") ? World.generate(Gates.WORLD_SEED, WorldSize.DEFAULT).pretrainingTexts() : List.of();
        TokenWeighting w = TokenWeightings.create(weighting, new TokenWeightings.Resources(corpus, Set.of(), camels));
        LOG.info("documents are weighted by {}", w.name());
        return new WeightedDocumentLearner(w.name(), new DocumentWeighting(model, w), settings.documentEpochs(), settings.sequencesPerStep());
    }

    /** The bound HTTP port. */
    public int httpPort() {
        return api.actualPort();
    }

    /** The broker's bootstrap servers. */
    public String bootstrapServers() {
        return bootstrap;
    }

    public Topics topics() {
        return topics;
    }

    public AdapterRegistry registry() {
        return registry;
    }

    public FreshetMetrics metrics() {
        return metrics;
    }

    public TrainingSettings trainingSettings() {
        return settings;
    }

    /** Stops everything that started, newest first; never throws (failures are logged). Idempotent. */
    @Override
    public synchronized void close() {
        readiness.notReady("shutting down");
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while stopping", e);
            }
        }
        if (!toClose.isEmpty()) {
            LOG.info("stopped");
        }
        toClose.clear();
    }

    private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
