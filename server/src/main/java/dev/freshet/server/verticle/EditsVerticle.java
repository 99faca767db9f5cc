package dev.freshet.server.verticle;

import dev.freshet.server.training.IntakeEvents;
import dev.freshet.server.training.IntakeSettings;
import dev.freshet.server.training.PartitionHandoff;
import dev.freshet.server.training.KafkaIntake;
import dev.freshet.server.training.RecordDecoder;
import dev.freshet.server.training.TrainingQueue;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.CommitPolicy;
import dev.freshet.streams.kafka.DeadLetterPublisher;
import dev.freshet.streams.kafka.Topics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Consumes {@code freshet.edits} into the training queue. Thin: the work is done by a
 * {@link KafkaIntake} on its own thread ({@code freshet-consume-edits}); this verticle only ties
 * its lifetime to the deployment. Neither start nor stop blocks the event loop: stop completes when
 * the consumer thread has committed the durable offsets and closed.
 */
public final class EditsVerticle extends VerticleBase {

    private final KafkaIntake intake;

    /**
     * @param policy decides which offsets may be committed; normally a new
     *     {@link dev.freshet.streams.kafka.CommitAfterDurable} per verticle
     */
    public EditsVerticle(Topics topics, RecordCodec codec, TrainingQueue queue, DeadLetterPublisher deadLetters,
            CommitPolicy policy, IntakeSettings settings) {
        this(topics, codec, queue, deadLetters, policy, settings, IntakeEvents.NONE, PartitionHandoff.NONE);
    }

    /**
     * @param events observes dead letters, lag and the queue, for metrics
     * @param handoff releases revoked partitions from training (normally the training worker)
     */
    public EditsVerticle(Topics topics, RecordCodec codec, TrainingQueue queue, DeadLetterPublisher deadLetters,
            CommitPolicy policy, IntakeSettings settings, IntakeEvents events, PartitionHandoff handoff) {
        this.intake = new KafkaIntake("edits", topics.edits(), RecordDecoder.edits(codec), queue, deadLetters, policy, settings, events, handoff);
    }

    @Override
    public Future<?> start() {
        intake.start();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return Future.fromCompletionStage(intake.stop(), context);
    }
}
