package dev.freshet.server.cli;

import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.JsonlProducer;
import dev.freshet.streams.kafka.Topics;
import dev.freshet.streams.record.InvalidRecordException;
import dev.freshet.streams.record.TenantId;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** {@code produce}: validate a JSONL file and produce its records to Kafka, keyed by tenant. */
final class ProduceCommand implements Command {

    @Override
    public String name() {
        return "produce";
    }

    @Override
    public String summary() {
        return "produce documents or edits from a JSONL file to Kafka";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet produce docs|edits --file F.jsonl [--tenant T] [--kafka HOST:PORT] [--topic-prefix P]

            Validates every line with the same codec the server consumes with, produces the valid ones
            (key = tenant) and lists the rejected lines with their reason. Waits until the broker has
            acknowledged every record. bin/freshet world writes files in these shapes.

              --file F          JSONL file, one record per line (required)
              --tenant T        tenant id, [a-z0-9][a-z0-9_-]{0,63} (default: default)
              --kafka H:P       bootstrap servers (default 127.0.0.1:9092, the embedded broker of bin/freshet serve)
              --topic-prefix P  topic prefix (default freshet)
            """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("file", "tenant", "kafka", "topic-prefix");
    }

    @Override
    public int run(Args a) throws Exception {
        if (a.positional().size() != 1) {
            throw new Args.UsageException("name what to produce: docs or edits");
        }
        JsonlProducer.Kind kind;
        try {
            kind = JsonlProducer.Kind.fromCliName(a.positional().get(0));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        Path file = Path.of(a.require("file"));
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read " + file);
        }
        TenantId tenant;
        try {
            tenant = a.has("tenant") ? new TenantId(a.get("tenant", "")) : TenantId.DEFAULT;
        } catch (InvalidRecordException e) {
            throw new IllegalArgumentException("--tenant: " + e.getMessage());
        }
        Topics topics = new Topics(a.get("topic-prefix", Topics.DEFAULT_PREFIX));
        String topic = kind == JsonlProducer.Kind.DOCUMENTS ? topics.documents() : topics.edits();
        String bootstrap = a.get("kafka", "127.0.0.1:9092");
        requireTopic(bootstrap, topic);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Fail within a minute, with Kafka's own message, when no broker answers.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            JsonlProducer.Report r = new JsonlProducer(producer, new RecordCodec(), topics).produce(file, kind, tenant);
            System.out.println(r.summary());
            return r.rejected() > 0 ? 3 : 0;
        }
    }

    /** A missing topic would only show as a metadata time-out after 30 s: say what to do instead. */
    private static void requireTopic(String bootstrap, String topic) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(p)) {
            Set<String> names;
            try {
                names = admin.listTopics().names().get(20, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalArgumentException("no Kafka broker answered at " + bootstrap + " (" + e.getMessage()
                        + "); start one with bin/freshet serve or pass --kafka HOST:PORT");
            }
            if (!names.contains(topic)) {
                throw new IllegalArgumentException("topic " + topic + " does not exist at " + bootstrap
                        + "; bin/freshet serve creates Freshet's topics, or create it with your Kafka tools");
            }
        }
    }
}
