package dev.freshet.streams.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names and settings of Freshet's four topics, all under one prefix (default {@code freshet}):
 *
 * <table>
 *   <caption>Topics</caption>
 *   <tr><th>name</th><th>key</th><th>value</th><th>settings</th></tr>
 *   <tr><td>{@code <prefix>.documents}</td><td>tenant</td><td>document JSON</td><td>delete</td></tr>
 *   <tr><td>{@code <prefix>.edits}</td><td>tenant</td><td>edit JSON</td><td>delete</td></tr>
 *   <tr><td>{@code <prefix>.adapters}</td><td>tenant</td><td>adapter event JSON</td>
 *       <td>compact (the latest version per tenant is kept for ever);
 *       {@value #ADAPTERS_MAX_MESSAGE_BYTES} bytes per record, for inline weights</td></tr>
 *   <tr><td>{@code <prefix>.dead-letter}</td><td>original key</td><td>original bytes</td>
 *       <td>delete; reason and source in headers</td></tr>
 * </table>
 *
 * Documents and edits of one tenant share a key, so they stay in order within their topic.
 */
public final class Topics {

    /** The prefix the product uses unless configured otherwise. */
    public static final String DEFAULT_PREFIX = "freshet";

    /**
     * The largest adapters-topic record. Inline LoRA weights of a small model are around a megabyte,
     * the broker's default limit; producers of adapter events must set {@code max.request.size} to this.
     */
    public static final int ADAPTERS_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);
    private static final Pattern LEGAL_PREFIX = Pattern.compile("[a-zA-Z0-9._-]{1,200}");
    private static final long ADMIN_TIMEOUT_SECONDS = 30;

    private final String prefix;

    /** Topics under {@code prefix}, which may hold letters, digits, '.', '_' and '-'. */
    public Topics(String prefix) {
        if (prefix == null || !LEGAL_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix must match [a-zA-Z0-9._-]{1,200}, got '" + prefix + "'");
        }
        this.prefix = prefix;
    }

    /** Topics under {@value #DEFAULT_PREFIX}. */
    public static Topics withDefaultPrefix() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    public String documents() {
        return prefix + ".documents";
    }

    public String edits() {
        return prefix + ".edits";
    }

    public String adapters() {
        return prefix + ".adapters";
    }

    public String deadLetter() {
        return prefix + ".dead-letter";
    }

    /** All four names. */
    public List<String> all() {
        return List.of(documents(), edits(), adapters(), deadLetter());
    }

    /** The topic-level settings Freshet relies on for {@code topic}; empty where the broker's defaults do. */
    public Map<String, String> requiredConfig(String topic) {
        if (topic.equals(adapters())) {
            return Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(ADAPTERS_MAX_MESSAGE_BYTES));
        }
        return Map.of();
    }

    /** The four topics to create, with their settings. */
    public List<NewTopic> newTopics(int partitions, short replication) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : all()) {
            topics.add(new NewTopic(name, partitions, replication).configs(requiredConfig(name)));
        }
        return topics;
    }

    /**
     * Creates whichever of the four topics are missing, makes sure existing ones carry
     * {@link #requiredConfig(String)} (setting it if not), and returns once every partition has a
     * leader, so the topics can be used at once. Safe to call on every start and from
     * several processes at once. An existing topic's partition count is left alone (changing it would
     * move tenants between partitions); a difference is logged.
     *
     * @throws KafkaException if the broker refuses or does not answer within 30 seconds
     * @throws InterruptedException if interrupted while waiting for the broker
     */
    public void ensureCreated(Admin admin, int partitions, short replication) throws InterruptedException {
        Objects.requireNonNull(admin, "admin");
        Map<String, KafkaFuture<Void>> created = admin.createTopics(newTopics(partitions, replication)).values();
        List<String> existing = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> entry : created.entrySet()) {
            try {
                await(entry.getValue());
                LOG.info("created topic {} ({} partitions, replication {})", entry.getKey(), partitions, replication);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new KafkaException("could not create topic " + entry.getKey(), e.getCause());
                }
                existing.add(entry.getKey());
            }
        }
        if (!existing.isEmpty()) {
            reconcile(admin, existing, partitions);
        }
        awaitLeaders(admin);
    }

    /**
     * A new topic reaches the broker's metadata, and then its leader, a little after creation
     * returns. Asking each partition's leader for its end offset until all answer spares the
     * caller's first produce an UNKNOWN_TOPIC or NOT_LEADER_OR_FOLLOWER retry.
     */
    private void awaitLeaders(Admin admin) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ADMIN_TIMEOUT_SECONDS);
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                await(admin.describeTopics(all()).allTopicNames()).values().forEach(description ->
                        description.partitions().forEach(p ->
                                partitions.put(new TopicPartition(description.name(), p.partition()), OffsetSpec.latest())));
                await(admin.listOffsets(partitions).all());
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new KafkaException("topics " + all() + " are not ready", e.getCause());
                }
            }
            Thread.sleep(50);
        }
    }

    private void reconcile(Admin admin, Collection<String> existing, int partitions) throws InterruptedException {
        try {
            await(admin.describeTopics(existing).allTopicNames()).forEach((name, description) -> {
                if (description.partitions().size() != partitions) {
                    LOG.warn("topic {} has {} partitions, not the configured {}; leaving it as it is",
                            name, description.partitions().size(), partitions);
                }
            });
            Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
            for (String name : existing) {
                List<AlterConfigOp> ops = new ArrayList<>();
                requiredConfig(name).forEach((key, value) ->
                        ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
                if (!ops.isEmpty()) {
                    changes.put(new ConfigResource(ConfigResource.Type.TOPIC, name), ops);
                }
            }
            // SET is idempotent, so there is no need to read the current values first.
            if (!changes.isEmpty()) {
                await(admin.incrementalAlterConfigs(changes).all());
            }
        } catch (ExecutionException e) {
            throw new KafkaException("could not check existing topics " + Set.copyOf(existing), e.getCause());
        }
    }

    private static <T> T await(KafkaFuture<T> future) throws InterruptedException, ExecutionException {
        try {
            return future.get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new KafkaException("the broker did not answer within " + ADMIN_TIMEOUT_SECONDS + " s", e);
        }
    }

    @Override
    public String toString() {
        return "Topics[" + prefix + ".*]";
    }
}
