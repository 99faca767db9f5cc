package dev.freshet.server.verticle;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.training.GateRejectionLetters;
import dev.freshet.server.training.IntakeSettings;
import dev.freshet.server.training.ServingPressure;
import dev.freshet.server.training.TrainingEvents;
import dev.freshet.server.training.TrainingQueue;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.server.training.TrainingWorker;
import dev.freshet.server.training.VersionSink;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.CommitPolicy;
import dev.freshet.streams.kafka.DeadLetterPublisher;
import dev.freshet.streams.kafka.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The ingestion and training half of the server, wired as the composition root will wire it: the two
 * consumer verticles deployed in Vert.x, one training worker, a dead-letter producer. For ITs.
 */
final class Pipeline implements AutoCloseable {

    private final Vertx vertx;
    private final Producer<String, byte[]> deadLetterProducer;
    private final TrainingWorker worker;
    private final List<String> deployments;

    Pipeline(Vertx vertx, String bootstrap, Topics topics, LanguageModel model, TrainingSettings settings, AdapterStore store,
            VersionSink sink, CommitPolicy documentsPolicy, CommitPolicy editsPolicy, IntakeSettings intake, TrainingEvents events)
            throws Exception {
        this.vertx = vertx;
        this.deadLetterProducer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
        DeadLetterPublisher deadLetters = new DeadLetterPublisher(deadLetterProducer, topics.deadLetter());
        TrainingQueue queue = new TrainingQueue(settings.queueCapacity());
        RecordCodec codec = new RecordCodec();
        this.worker = new TrainingWorker(model, settings, queue, TrainingWorker.Learners.defaults(settings), store, sink, ServingPressure.NONE,
                TrainingEvents.both(events, new GateRejectionLetters(deadLetters, codec)));
        worker.start();
        String docs = await(vertx.deployVerticle(new DocumentsVerticle(topics, codec, queue, deadLetters, documentsPolicy, intake)));
        String edits = await(vertx.deployVerticle(new EditsVerticle(topics, codec, queue, deadLetters, editsPolicy, intake)));
        this.deployments = List.of(docs, edits);
    }

    /** Undeploys the consumers (each commits what its policy allows), then stops the worker. */
    @Override
    public void close() throws Exception {
        for (String id : deployments) {
            await(vertx.undeploy(id));
        }
        worker.stop().get(60, TimeUnit.SECONDS);
        deadLetterProducer.close();
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
