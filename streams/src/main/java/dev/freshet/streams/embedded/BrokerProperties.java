package dev.freshet.streams.embedded;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The configuration of a single-node KRaft broker: one process that is both broker and controller,
 * on loopback only, with every replication factor and minimum ISR at 1.
 */
final class BrokerProperties {

    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private BrokerProperties() {}

    static Properties of(Path logDir, int port, int controllerPort, Map<String, String> overrides) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        // Loopback only: an embedded broker is for one machine, and must not be reachable from others.
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        // A dynamic quorum (formatted with --standalone): the voter set lives in the metadata log, so
        // a restart may pick a different controller port and the leader updates its own endpoint.
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("log.dirs", logDir.toString());

        for (String key : new String[] {
            "default.replication.factor",
            "min.insync.replicas",
            "offsets.topic.replication.factor",
            "transaction.state.log.replication.factor",
            "transaction.state.log.min.isr",
            "share.coordinator.state.topic.replication.factor",
            "share.coordinator.state.topic.min.isr",
        }) {
            p.setProperty(key, "1");
        }
        // Internal topics are created on first use; one partition each keeps that quick.
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.num.partitions", "1");
        // No 3 s wait for more members to join: there is one consumer per group in tests and demos.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Topics are created by Topics.ensureCreated with their settings; auto-creation would make an
        // uncompacted adapters topic if a producer happened to write first.
        p.setProperty("auto.create.topics.enable", "false");
        // The log cleaner allocates this up front (default 128 MiB); 16 MiB dedupes ~600k keys per pass,
        // far more than there are tenants on the compacted adapters topic.
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));

        overrides.forEach(p::setProperty);
        return p;
    }
}
