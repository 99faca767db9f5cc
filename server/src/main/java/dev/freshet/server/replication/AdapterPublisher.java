package dev.freshet.server.replication;

import dev.freshet.adaptation.adapter.AdapterManifest;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.RegistryListener;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.Topics;
import dev.freshet.streams.record.AdapterEvent;
import dev.freshet.streams.record.TenantId;
import dev.freshet.streams.record.WeightsLocation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces every version this replica promotes or rolls back to on the compacted adapters topic, keyed by
 * tenant, so compaction keeps each tenant's latest announcement and a replica that starts late reads one
 * event per tenant.
 *
 * <p>The version is already durable in the local store when the registry reports the swap (it is saved
 * before {@code promoted.json} names it), so the event never points at weights that could vanish. Weights
 * up to {@code inlineLimitBytes} travel in the event (a LoRA adapter of the default model is about 250 KB,
 * with {@code locft-keys}' dense edit delta about 1.3 MB), so followers need nothing but Kafka; larger ones are
 * announced by a {@code file:} URI, which needs a shared filesystem.
 *
 * <p>Each event carries two headers the follower reads: {@value #ORIGIN_HEADER} (this replica's id, so a
 * replica ignores its own announcements) and {@value #SWAP_HEADER} ({@code promote} or {@code rollback}:
 * only a rollback may move a follower to an older version). A rollback to the base model (version 0) has no
 * event shape and is not announced; it is logged.
 *
 * <p>Called by the registry on the thread that swapped, under its lock: sends are asynchronous and a failed
 * send is logged, never thrown, because the version is served here either way.
 */
public final class AdapterPublisher implements RegistryListener {

    public static final String ORIGIN_HEADER = "freshet-origin";
    public static final String SWAP_HEADER = "freshet-swap";
    /**
     * Base64 makes inline weights 4/3 larger: 8 MiB stays under the adapters topic's record limit
     * ({@link Topics#ADAPTERS_MAX_MESSAGE_BYTES}, 16 MiB), which the producer's {@code max.request.size} must match.
     */
    public static final int DEFAULT_INLINE_LIMIT = 8 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AdapterPublisher.class);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final RecordCodec codec;
    private final AdapterStore store;
    private final String origin;
    private final int inlineLimitBytes;
    private final ReplicationEvents events;

    /**
     * @param origin this replica's id for this run
     * @param inlineLimitBytes weights up to this size travel inside the event
     */
    public AdapterPublisher(Producer<String, byte[]> producer, String topic, RecordCodec codec, AdapterStore store, String origin,
            int inlineLimitBytes, ReplicationEvents events) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.store = Objects.requireNonNull(store, "store");
        this.origin = Objects.requireNonNull(origin, "origin");
        if (inlineLimitBytes < 0) {
            throw new IllegalArgumentException("adapters.inline-limit-bytes must not be negative, got " + inlineLimitBytes);
        }
        this.inlineLimitBytes = inlineLimitBytes;
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public void served(String tenant, long previous, long version, SwapKind kind) {
        if (kind != SwapKind.PROMOTE && kind != SwapKind.ROLLBACK) {
            return; // restored and followed versions were announced by whoever made them
        }
        if (version == 0) {
            LOG.warn("tenant {}: rollback to the base model is served here but cannot be announced to other replicas", tenant);
            return;
        }
        AdapterEvent event;
        try {
            event = event(tenant, version);
        } catch (IOException | RuntimeException e) {
            LOG.error("tenant {}: v{} is served here but could not be announced", tenant, version, e);
            events.event("publish_failed");
            return;
        }
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, tenant, codec.encodeAdapterEvent(event));
        record.headers().add(ORIGIN_HEADER, origin.getBytes(StandardCharsets.UTF_8));
        record.headers().add(SWAP_HEADER, (kind == SwapKind.ROLLBACK ? "rollback" : "promote").getBytes(StandardCharsets.UTF_8));
        producer.send(record, (meta, error) -> {
            events.event(error == null ? "published" : "publish_failed");
            if (error != null) {
                LOG.error("tenant {}: announcement of v{} on {} failed; other replicas learn of the next version", tenant, version, topic, error);
            } else {
                LOG.debug("tenant {}: v{} announced at {}-{}@{}", tenant, version, meta.topic(), meta.partition(), meta.offset());
            }
        });
    }

    /** Blocks until every announcement sent so far is acknowledged (or failed): before a rebalance hands tenants over. */
    public void flush() {
        producer.flush();
    }

    /** The event for a stored version: its manifest as stored, and its weights inline or by URI. */
    AdapterEvent event(String tenant, long version) throws IOException {
        String manifestJson = store.manifestJson(tenant, version);
        AdapterManifest m = AdapterManifest.fromJson(manifestJson);
        Path weights = store.weightsFile(tenant, version);
        WeightsLocation where = Files.size(weights) <= inlineLimitBytes
                ? new WeightsLocation.Inline(Files.readAllBytes(weights))
                : new WeightsLocation.Stored(weights.toAbsolutePath().toUri().toString());
        return new AdapterEvent(new TenantId(tenant), version, Math.min(m.parentVersion(), version - 1), m.method(), manifestJson, where);
    }
}
