package dev.freshet.server.training;

import dev.freshet.streams.codec.Decoded;
import dev.freshet.streams.kafka.CommitPolicy;
import dev.freshet.streams.kafka.DeadLetterPublisher;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one Kafka topic to the training worker, on its own named platform thread
 * ({@code freshet-consume-<stream>}): polls, decodes, dead-letters refused records, offers the rest
 * to the {@link TrainingQueue}, and commits what the {@link CommitPolicy} allows.
 *
 * <p>A plain {@code KafkaConsumer} on a dedicated thread rather than vertx-kafka-client: the
 * consumer is single-threaded, and here poll, pause/resume, commits and the rebalance callback (which
 * must commit synchronously before partitions move) all run on the one thread that owns it, with no
 * event-loop hops; records fetched before a pause are kept in order in a local hold; and the server
 * needs no extra dependency. Event loops never touch it.
 *
 * <p><b>Back-pressure.</b> When the queue refuses a record, it and every later record are held here,
 * all assigned partitions are paused (polls go on, returning nothing, so the consumer keeps its group
 * membership), and on the queue's drained signal the held records are offered again, in order, and the
 * partitions resumed.
 *
 * <p><b>Commits.</b> Every polled record is reported {@code consumed} to the policy; a record becomes
 * durable when the worker says so through its {@link Receipt}, or when its dead letter is
 * acknowledged. Durable offsets are committed every {@link IntakeSettings#commitInterval()}, before
 * partitions are revoked, and on stop.
 */
public final class KafkaIntake {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaIntake.class);
    /** Within the default max.poll.interval.ms (5 min): a round of training plus a version's gate. */
    private static final long HANDOFF_TIMEOUT_SECONDS = 120;

    private final String stream;
    private final String topic;
    private final RecordDecoder decoder;
    private final TrainingQueue queue;
    private final DeadLetterPublisher deadLetters;
    private final CommitPolicy policy;
    private final Duration pollTimeout;
    private final long commitNanos;
    private final Supplier<Consumer<String, byte[]>> consumers;
    private final IntakeEvents events;
    private final PartitionHandoff handoff;
    private final ArrayDeque<WorkItem> held = new ArrayDeque<>();
    private final AtomicBoolean drained = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopping;
    private Consumer<String, byte[]> consumer; // the consumer thread's only
    private boolean paused;

    /**
     * @param stream a short name for the thread, the consumer group and logs, e.g. {@code documents}
     * @param topic the topic to consume
     */
    public KafkaIntake(String stream, String topic, RecordDecoder decoder, TrainingQueue queue, DeadLetterPublisher deadLetters,
            CommitPolicy policy, IntakeSettings settings) {
        this(stream, topic, decoder, queue, deadLetters, policy, settings, IntakeEvents.NONE, PartitionHandoff.NONE);
    }

    /**
     * @param events observes dead letters, lag and the queue, for metrics
     * @param handoff releases revoked partitions' records from training before the final commit
     */
    public KafkaIntake(String stream, String topic, RecordDecoder decoder, TrainingQueue queue, DeadLetterPublisher deadLetters,
            CommitPolicy policy, IntakeSettings settings, IntakeEvents events, PartitionHandoff handoff) {
        this.events = Objects.requireNonNull(events, "events");
        this.handoff = Objects.requireNonNull(handoff, "handoff");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.pollTimeout = settings.pollTimeout();
        this.commitNanos = settings.commitInterval().toNanos();
        Map<String, Object> config = settings.consumerConfig(stream);
        // Created on the consumer thread: the constructor resolves hosts and may block.
        this.consumers = () -> new KafkaConsumer<>(config);
        this.thread = new Thread(this::run, "freshet-consume-" + stream);
        queue.onDrained(() -> drained.set(true));
    }

    /** Starts consuming. */
    public void start() {
        thread.start();
    }

    /**
     * Stops after the current poll, commits the durable offsets and closes the consumer; the future
     * completes then. Records still in the training queue are not waited for: they are delivered
     * again after a restart. Does not block.
     */
    public CompletableFuture<Void> stop() {
        stopping = true;
        if (thread.getState() == Thread.State.NEW) {
            stopped.complete(null);
        }
        return stopped;
    }

    private void run() {
        try (Consumer<String, byte[]> c = consumers.get()) {
            consumer = c;
            c.subscribe(List.of(topic), new Rebalance());
            long lastCommit = System.nanoTime();
            LOG.info("consuming {} for training ({})", topic, stream);
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> r : c.poll(pollTimeout)) {
                    take(r);
                }
                report(c);
                if (!held.isEmpty() && drained.getAndSet(false)) {
                    offerHeld();
                }
                matchPauseToHold();
                if (System.nanoTime() - lastCommit >= commitNanos) {
                    commit(false);
                    lastCommit = System.nanoTime();
                }
            }
            commit(true);
        } catch (RuntimeException e) {
            LOG.error("consumer of {} failed; uncommitted records will be delivered again", topic, e);
            stopped.completeExceptionally(e);
        } finally {
            held.clear();
            stopped.complete(null);
        }
    }

    private void take(ConsumerRecord<String, byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        policy.consumed(tp, r.offset());
        Origin origin = new Origin(r.topic(), r.partition(), r.offset(), r.timestamp(), new KafkaReceipt(r, tp));
        Decoded<WorkItem> decoded = decoder.decode(r, origin);
        if (decoded instanceof Decoded.Rejected<WorkItem> no) {
            deadLetter(r, tp, no.rejection());
        } else if (decoded instanceof Decoded.Accepted<WorkItem> ok && (!held.isEmpty() || !queue.offer(ok.value()))) {
            held.add(ok.value()); // behind earlier held records: order within a partition is kept
        }
    }

    private void report(Consumer<String, byte[]> c) {
        for (TopicPartition tp : c.assignment()) {
            OptionalLong lag = c.currentLag(tp);
            if (lag.isPresent()) {
                events.lag(tp, lag.getAsLong());
            }
        }
        events.queued(queue.size());
    }

    private void offerHeld() {
        while (!held.isEmpty() && queue.offer(held.peek())) {
            held.poll();
        }
    }

    private void matchPauseToHold() {
        if (!held.isEmpty() && !paused) {
            consumer.pause(consumer.assignment());
            paused = true;
            LOG.debug("{}: training queue full, paused {}", stream, consumer.assignment());
        } else if (held.isEmpty() && paused) {
            consumer.resume(consumer.paused());
            paused = false;
            LOG.debug("{}: training queue drained, resumed", stream);
        }
    }

    private void deadLetter(ConsumerRecord<String, byte[]> r, TopicPartition tp, Rejection rejection) {
        LOG.info("dead-lettering {}@{} ({}): {}", tp, r.offset(), rejection.reason().headerValue(), rejection.detail());
        String key = r.key() == null ? TenantId.DEFAULT.value() : r.key();
        events.deadLettered(r.topic(), TenantId.isValid(key) ? key : "invalid", rejection);
        deadLetters.publish(r, rejection).whenComplete((meta, error) -> {
            if (error == null) {
                markDurable(tp, r.offset());
            } else {
                LOG.error("dead letter for {}@{} not acknowledged; its offset stays uncommitted", tp, r.offset(), error);
            }
        });
    }

    private void markDurable(TopicPartition tp, long offset) {
        try {
            policy.durable(tp, offset);
        } catch (IllegalStateException e) {
            // The partition was revoked and assigned back since this record was polled: the policy
            // started afresh and the record will be (or was) polled again; this report is stale.
            LOG.debug("stale outcome for {}@{} ignored", tp, offset);
        }
    }

    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = policy.offsetsToCommit();
        if (offsets.isEmpty()) {
            return;
        }
        try {
            if (sync) {
                consumer.commitSync(offsets);
            } else {
                consumer.commitAsync(offsets, (done, error) -> {
                    if (error != null) {
                        LOG.warn("commit of {} failed; the next commit covers it", done, error);
                    }
                });
            }
        } catch (KafkaException e) {
            // Only widens what is delivered again after a crash; the next progress commits further.
            LOG.warn("commit of {} failed", offsets, e);
        }
    }

    /** Reports a trained record's outcome back to the policy; called on the training thread. */
    private final class KafkaReceipt implements Receipt {
        private final ConsumerRecord<String, byte[]> record;
        private final TopicPartition tp;

        KafkaReceipt(ConsumerRecord<String, byte[]> record, TopicPartition tp) {
            this.record = record;
            this.tp = tp;
        }

        @Override
        public void durable() {
            markDurable(tp, record.offset());
        }

        @Override
        public void refused(Rejection rejection) {
            deadLetter(record, tp, rejection);
        }
    }

    /** Runs inside poll(), on the consumer thread. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty() && !stopping) {
                held.removeIf(i -> partitions.contains(new TopicPartition(i.origin().topic(), i.origin().partition())));
                try {
                    // Nothing of these partitions may be trained here once the next owner starts on them.
                    handoff.release(partitions).toCompletableFuture().get(HANDOFF_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    LOG.error("{}: releasing {} from training failed; their uncommitted records may be applied twice", stream, partitions, e);
                }
            }
            commit(true); // last chance to commit what is durable before another member takes over
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            policy.forget(partitions);
            held.removeIf(i -> partitions.contains(new TopicPartition(i.origin().topic(), i.origin().partition())));
        }
    }
}
