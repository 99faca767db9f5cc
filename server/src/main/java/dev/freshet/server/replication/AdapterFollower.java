package dev.freshet.server.replication;

import dev.freshet.server.serving.AdapterRegistry;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.streams.codec.Decoded;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.Topics;
import dev.freshet.streams.record.AdapterEvent;
import dev.freshet.streams.record.WeightsLocation;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted adapters topic and serves what other replicas announce, on its own named thread
 * ({@code freshet-follow-adapters}).
 *
 * <p>No consumer group: every replica reads every partition from the beginning on each start (compaction
 * leaves about one event per tenant), so a replica that starts late or restarts catches up from the topic
 * alone. For each event: the weights are put in the local store (inline bytes, or copied from a
 * {@code file:} URI), then {@link AdapterRegistry#follow} serves them, which ignores announcements that
 * are stale (older than what is served, unless a rollback) or already served. Events from this replica
 * itself ({@link AdapterPublisher#ORIGIN_HEADER}) are skipped. A bad event is logged and counted and the
 * stream goes on: one broken announcement must not stop a replica from following the others.
 *
 * <p>{@link #caughtUp()} completes once everything that was on the topic when following began has been
 * applied, so a serving replica can report ready only when it serves what the cluster serves.
 */
public final class AdapterFollower {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterFollower.class);

    private final String topic;
    private final RecordCodec codec;
    private final AdapterStore store;
    private final AdapterRegistry registry;
    private final String origin;
    private final Map<String, Object> config;
    private final ReplicationEvents listener;
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final AtomicLong applied = new AtomicLong();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>(); // written by the follower thread
    private Consumer<String, byte[]> endReader; // guarded by this; for awaitCurrent
    private final Thread thread;
    private volatile boolean stopping;

    /**
     * @param clientConfig Kafka client settings (bootstrap servers, security); group and deserializers are set here
     * @param origin this replica's id, as its {@link AdapterPublisher} writes it
     */
    public AdapterFollower(String topic, RecordCodec codec, AdapterStore store, AdapterRegistry registry, String origin,
            Map<String, Object> clientConfig, ReplicationEvents listener) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.store = Objects.requireNonNull(store, "store");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.listener = Objects.requireNonNull(listener, "listener");
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, not subscribed: no group, no commits
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        // Inline weights make records of megabytes (a default-model version with its dense edit delta: about 1.7 MB
        // in base64): fetch a few at a time, and a whole one in a partition's fetch.
        c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 16);
        c.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.ADAPTERS_MAX_MESSAGE_BYTES);
        this.config = Map.copyOf(c);
        this.thread = new Thread(this::run, "freshet-follow-adapters");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Completes when the events present at start have been applied (or failed and been logged). */
    public CompletableFuture<Void> caughtUp() {
        return caughtUp;
    }

    /**
     * Blocks until every event on the topic now has been applied here: what a trainer waits for before it
     * loads a tenant taken over from another trainer (whose last versions it must resume from and whose
     * covered records it must skip). Reads the end offsets with a consumer of its own, made on first use
     * and kept (callers are trainers loading a tenant, so this runs once per tenant and rebalance).
     *
     * @throws IllegalStateException if the follower has stopped or does not catch up within {@code timeout}
     */
    public void awaitCurrent(Duration timeout) throws InterruptedException {
        Map<TopicPartition, Long> end;
        synchronized (this) {
            if (stopped.isDone()) {
                throw new IllegalStateException("the adapters follower has stopped");
            }
            if (endReader == null) {
                endReader = new KafkaConsumer<>(config);
            }
            end = endReader.endOffsets(partitions(endReader), timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(end, positions)) {
            if (stopped.isDone()) {
                throw new IllegalStateException("the adapters follower has stopped");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the adapters follower did not catch up with " + topic + " within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    /** Whether {@code positions} are at or past {@code end} on every partition. */
    private static boolean reached(Map<TopicPartition, Long> end, Map<TopicPartition, Long> positions) {
        return end.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Stops after the current poll; the future completes when the consumer is closed. Does not block. */
    public CompletableFuture<Void> stop() {
        stopping = true;
        if (thread.getState() == Thread.State.NEW) {
            stopped.complete(null);
        }
        return stopped;
    }

    private void run() {
        try (Consumer<String, byte[]> c = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = partitions(c);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            LOG.info("following {} ({} partitions, {} events to catch up on)", topic, partitions.size(),
                    end.values().stream().mapToLong(Long::longValue).sum());
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    apply(r);
                }
                for (TopicPartition tp : partitions) {
                    positions.put(tp, c.position(tp)); // after apply: a position here means applied
                }
                if (!caughtUp.isDone() && reached(end, positions)) {
                    LOG.info("caught up with {}: {} version(s) followed", topic, applied.get());
                    caughtUp.complete(null);
                }
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.error("following {} failed; this replica no longer learns of other replicas' versions", topic, e);
            }
            caughtUp.completeExceptionally(e);
        } finally {
            caughtUp.complete(null);
            synchronized (this) {
                stopped.complete(null);
                if (endReader != null) {
                    endReader.close();
                }
            }
        }
    }

    /** The topic's partitions; the topic exists before any replica starts following (the server creates it). */
    private List<TopicPartition> partitions(Consumer<String, byte[]> c) {
        return c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (origin.equals(header(r, AdapterPublisher.ORIGIN_HEADER))) {
            listener.event("own");
            return;
        }
        Decoded<AdapterEvent> decoded = codec.decodeAdapterEvent(r.key(), r.value());
        if (decoded instanceof Decoded.Rejected<AdapterEvent> no) {
            LOG.warn("ignoring adapter event {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), no.rejection().detail());
            listener.event("invalid");
            return;
        }
        AdapterEvent e = ((Decoded.Accepted<AdapterEvent>) decoded).value();
        String tenant = e.tenant().value();
        boolean rollback = "rollback".equals(header(r, AdapterPublisher.SWAP_HEADER));
        try {
            if (!rollback && e.version() <= registry.servedVersion(tenant)) {
                listener.event("stale"); // decided before touching the disk: a restart replays every tenant's event
                return;
            }
            store.saveFiles(tenant, e.version(), e.manifestJson(), weights(e));
            boolean served = registry.follow(tenant, e.version(), rollback).isPresent();
            if (served) {
                applied.incrementAndGet();
                LOG.info("tenant {}: following v{} ({}, announced at {}-{}@{})", tenant, e.version(), rollback ? "rollback" : "promotion",
                        r.topic(), r.partition(), r.offset());
            }
            listener.event(served ? "applied" : "stale");
        } catch (IOException | RuntimeException ex) {
            LOG.error("tenant {}: cannot follow v{} announced at {}-{}@{}", tenant, e.version(), r.topic(), r.partition(), r.offset(), ex);
            listener.event("failed");
        }
    }

    private static byte[] weights(AdapterEvent e) throws IOException {
        if (e.weights() instanceof WeightsLocation.Inline inline) {
            return inline.safetensors();
        }
        URI uri = URI.create(((WeightsLocation.Stored) e.weights()).uri());
        if (!"file".equals(uri.getScheme())) {
            throw new IOException("weights at " + uri + ": only inline weights and file: URIs (a shared filesystem) are supported");
        }
        return Files.readAllBytes(Path.of(uri));
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
