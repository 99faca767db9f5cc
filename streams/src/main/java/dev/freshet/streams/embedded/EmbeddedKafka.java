package dev.freshet.streams.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running inside this JVM:
 * Freshet's zero-setup Kafka for development, demos and integration tests. It is the same server
 * code as a production broker ({@code kafka.server.KafkaRaftServer} from {@code kafka_2.13}), on
 * loopback only, with every replication factor 1.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of("data/kafka"), 0)) {
 *     Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Data directory.</b> The first start formats {@code <dataDir>/log} (a new cluster id);
 * later starts on the same directory reuse it, so topics, records and committed offsets survive a
 * restart. {@code <dataDir>/server.properties} records the settings of the last start, for
 * inspection. Only one broker may use a directory at a time (Kafka locks it).
 *
 * <p><b>Ports.</b> The product's default client port is {@value #DEFAULT_PORT}; pass 0 to pick a
 * free port, as tests must (a restart then gets a new one; ask {@link #bootstrapServers()} again).
 * The controller port is always picked freely: clients never use it, and the single-voter quorum
 * records the new endpoint on restart.
 *
 * <p><b>Durability.</b> Like any Kafka broker it acknowledges records before they reach the disk;
 * {@link #close()} flushes them, a killed process may lose the last seconds' unflushed writes.
 *
 * <p>Starting takes about 1.5 s the first time and under 1 s on restart; stopping well under 1 s.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The product's default client port. */
    public static final int DEFAULT_PORT = 9092;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, int port) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
    }

    /**
     * Starts a broker on {@code dataDir} (created if missing, formatted on first use) listening on
     * {@code 127.0.0.1:port}. Returns once the broker accepts clients.
     *
     * @param port the client port, or 0 to pick a free one
     * @throws IOException if the directory cannot be created or formatted
     * @throws IllegalStateException if the port is taken or the broker fails to start; a broker that
     *     fails half-way is shut down again, releasing its ports and the directory lock
     */
    public static EmbeddedKafka start(Path dataDir, int port) throws IOException {
        return start(dataDir, port, Map.of());
    }

    /**
     * As {@link #start(Path, int)}, with broker settings that replace the defaults, e.g.
     * {@code Map.of("message.max.bytes", "4194304")}.
     */
    public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> overrides) throws IOException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 (pick a free one) or 1..65535, got " + port);
        }
        if (port != 0) {
            FreePort.requireFree(port); // before anything is created or formatted
        }
        int clientPort = port == 0 ? FreePort.pick() : port;
        Path dir = dataDir.toAbsolutePath();
        Path logDir = dir.resolve("log");
        Files.createDirectories(logDir);
        Properties config = BrokerProperties.of(logDir, clientPort, FreePort.pick(), overrides);
        Path configFile = dir.resolve("server.properties");
        if (LogDirFormatter.isFormatted(logDir)) {
            LOG.info("reusing formatted Kafka log directory {}", logDir);
            LogDirFormatter.writeConfig(config, configFile);
        } else {
            LOG.info("formatting new Kafka log directory {}", logDir);
            LogDirFormatter.format(config, configFile);
        }

        long startNanos = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        try {
            // Returns once the broker has registered with its controller and been unfenced.
            server.startup();
        } catch (RuntimeException e) {
            stopQuietly(server, e);
            throw new IllegalStateException("Kafka broker on 127.0.0.1:" + clientPort + " did not start: " + e.getMessage(), e);
        }
        LOG.info("Kafka broker up on 127.0.0.1:{} in {} ms", clientPort, (System.nanoTime() - startNanos) / 1_000_000);
        return new EmbeddedKafka(server, dir, clientPort);
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:9092}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** The data directory (absolute). */
    public Path dataDir() {
        return dataDir;
    }

    /** Shuts the broker down cleanly (flushing logs) and waits for it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long startNanos = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker on 127.0.0.1:{} stopped in {} ms", port, (System.nanoTime() - startNanos) / 1_000_000);
    }

    private static void stopQuietly(KafkaRaftServer server, RuntimeException cause) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
