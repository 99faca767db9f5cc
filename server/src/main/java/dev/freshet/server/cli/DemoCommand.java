package dev.freshet.server.cli;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.world.QaFormat;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.adaptation.world.WorldEdit;
import dev.freshet.adaptation.world.WorldSize;
import dev.freshet.server.app.Freshet;
import dev.freshet.server.http.HttpConfig;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.training.CoveredRecords;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.Neighbor;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code demo}: the server learning in front of you. Starts the whole stack ({@link Freshet}: embedded
 * broker, trainer, gate, HTTP) on free ports in a temporary data directory, asks the model questions about
 * a few documents and edits of the synthetic world (seed 1234, the one the default model was pretrained
 * on) over HTTP, produces those documents and edits to Kafka for tenant {@code demo}, waits (bounded) until
 * the served version covers them, and prints each answer and the log-probability of the true answer before
 * and after. Stops by itself.
 */
final class DemoCommand implements Command {

    private static final String TENANT = "demo";
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "start the server, stream sample documents and edits, print before/after answers";
    }

    @Override
    public String help() {
        return """
            usage: bin/freshet demo [options]

            Starts the whole server (embedded Kafka, trainer, HTTP) on free ports, asks questions about
            sample documents and edits from the synthetic world over HTTP, produces the documents and
            edits to Kafka for tenant 'demo', waits until the served adapter version covers them, and
            prints the answers and the log-probability of each true answer before and after. Stops by itself.

              --documents N        documents to stream (default 10)
              --edits N            edits to stream (default 5)
              --timeout-s N        longest wait for the served version (default 180)
              --data-dir DIR       keep the data here (default: a temporary directory, deleted afterwards)
              --lr X               document training learning rate (default 1e-4)
              --edit-lr X          learning rate of ft-bf edits (default 1e-3; locft-* carry their own)
              --no-gate            promote every version without the quality gate
              --edit-method M      locft-keys (default), locft-bf or ft-bf, as for serve
              --mwi-tau X          serve a momentum-interpolated slow copy, as for serve (default 0: off;
                                   --mwi-every, --mwi-reset, --mwi-scope as for serve)
            """ + Models.OPTIONS_HELP;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("documents", "edits", "timeout-s", "data-dir", "lr", "edit-lr", "model", "device", "edit-method", "edit-location", "mwi-tau", "mwi-every",
                "mwi-reset", "mwi-scope");
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of("no-gate");
    }

    /** One question of the demo: what is asked, the true answer, and the two measurements. */
    private record Probe(String kind, String prompt, String truth) {}

    private record Measured(String answer, double logprob) {}

    @Override
    public int run(Args a) throws Exception {
        int nDocs = a.getInt("documents", 10);
        int nEdits = a.getInt("edits", 5);
        long timeoutNanos = TimeUnit.SECONDS.toNanos(a.getInt("timeout-s", 180));
        boolean temporary = !a.has("data-dir");
        Path dataDir = temporary ? Files.createTempDirectory("freshet-demo") : Path.of(a.get("data-dir", ""));
        Freshet.Options options = ServeCommand.options(a, dataDir, 0, HttpConfig.defaults().withHost("127.0.0.1").withPort(0));

        System.out.println("demo: generating the synthetic world (seed 1234) and loading the model...");
        World world = World.generate(1234, WorldSize.DEFAULT);
        List<WorldDocument> docs = world.documents().subList(0, Math.min(nDocs, world.documents().size()));
        List<WorldEdit> edits = world.edits().subList(0, Math.min(nEdits, world.edits().size()));
        List<Probe> probes = new ArrayList<>();
        docs.forEach(d -> d.questions().stream().limit(1)
                .forEach(q -> probes.add(new Probe("doc " + d.id(), QaFormat.prompt(q.question()), q.answer()))));
        edits.forEach(e -> probes.add(new Probe("edit " + e.id(), e.prompt(), e.target())));

        try (LanguageModel model = Models.open(a); Freshet freshet = Freshet.start(options, model)) {
            String base = "http://127.0.0.1:" + freshet.httpPort();
            System.out.printf("demo: server up on %s, Kafka at %s, data in %s%n", base, freshet.bootstrapServers(), dataDir.toAbsolutePath());

            System.out.printf("demo: asking %d questions of the base model...%n", probes.size());
            List<Measured> before = new ArrayList<>();
            for (Probe p : probes) {
                before.add(measure(base, "base", p));
            }

            long t0 = System.nanoTime();
            produce(freshet, docs, edits);
            System.out.printf("demo: produced %d documents to %s and %d edits to %s (key '%s')%n", docs.size(), freshet.topics().documents(),
                    edits.size(), freshet.topics().edits(), TENANT);

            Set<String> docIds = new HashSet<>(docs.stream().map(WorldDocument::id).toList());
            Set<String> editIds = new HashSet<>(edits.stream().map(WorldEdit::id).toList());
            AdapterStore store = new AdapterStore(dataDir);
            long lastReport = 0;
            boolean covered = false;
            while (System.nanoTime() - t0 < timeoutNanos) {
                Long served = freshet.registry().snapshot().versions().get(TENANT);
                int[] n = coveredCounts(store, served == null ? 0 : served, docIds, editIds);
                covered = n[0] == docIds.size() && n[1] == editIds.size();
                if (covered || System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(2)) {
                    System.out.printf("demo: %5.1f s: serving %s v%d, covering %d/%d documents and %d/%d edits%n", (System.nanoTime() - t0) / 1e9,
                            TENANT, served == null ? 0 : served, n[0], docIds.size(), n[1], editIds.size());
                    lastReport = System.nanoTime();
                }
                if (covered) {
                    break;
                }
                Thread.sleep(200);
            }
            if (!covered) {
                System.out.println("demo: timed out before the served version covered every record (a gate rejection shows in the log);"
                        + " showing what is served now");
            }

            List<Measured> after = new ArrayList<>();
            for (Probe p : probes) {
                after.add(measure(base, TENANT, p));
            }
            printTable(probes, before, after);
        } finally {
            if (temporary) {
                deleteRecursively(dataDir);
            }
        }
        return 0;
    }

    private static void produce(Freshet freshet, List<WorldDocument> docs, List<WorldEdit> edits) throws Exception {
        RecordCodec codec = new RecordCodec();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, freshet.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (WorldDocument d : docs) {
                p.send(new ProducerRecord<>(freshet.topics().documents(), TENANT, codec.encodeDocument(new DocumentRecord(d.id(), d.text()))));
            }
            for (WorldEdit e : edits) {
                List<Neighbor> neighbors = e.neighbors().stream().map(n -> new Neighbor(n.prompt(), n.target())).toList();
                p.send(new ProducerRecord<>(freshet.topics().edits(), TENANT,
                        codec.encodeEdit(new EditRecord(e.id(), e.prompt(), e.target(), e.paraphrases(), neighbors))));
            }
            p.flush();
        }
    }

    /** How many of the ids the versions up to {@code served} cover: {documents, edits}. */
    private static int[] coveredCounts(AdapterStore store, long served, Set<String> docIds, Set<String> editIds) throws IOException {
        Set<String> docs = new HashSet<>();
        Set<String> eds = new HashSet<>();
        for (long v : store.versions(TENANT)) {
            if (v <= served) {
                var extra = store.manifest(TENANT, v).extra();
                docs.addAll(CoveredRecords.idsIn(extra, CoveredRecords.Kind.DOCUMENT));
                eds.addAll(CoveredRecords.idsIn(extra, CoveredRecords.Kind.EDIT));
            }
        }
        docs.retainAll(docIds);
        eds.retainAll(editIds);
        return new int[] {docs.size(), eds.size()};
    }

    /** The greedy answer and the log-probability of the true one, over HTTP. */
    private Measured measure(String base, String model, Probe p) throws Exception {
        JsonObject completion = post(base + "/v1/completions", new JsonObject().put("model", model).put("prompt", p.prompt())
                .put("max_tokens", 12).put("temperature", 0).put("stop", "\n"));
        String answer = completion.getJsonArray("choices").getJsonObject(0).getString("text").strip();
        JsonObject score = post(base + "/v1/score", new JsonObject().put("model", model).put("prompt", p.prompt())
                .put("continuation", QaFormat.target(p.truth())));
        return new Measured(answer, score.getDouble("total"));
    }

    private JsonObject post(String uri, JsonObject body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(uri + " answered " + r.statusCode() + ": " + r.body());
        }
        return new JsonObject(r.body());
    }

    private static void printTable(List<Probe> probes, List<Measured> before, List<Measured> after) {
        System.out.println();
        System.out.printf("%-16s %-48s %-20s %-20s %-20s %9s %9s%n", "record", "question", "true answer", "before", "after", "logp bef", "logp aft");
        int rose = 0;
        int right = 0;
        for (int i = 0; i < probes.size(); i++) {
            Probe p = probes.get(i);
            Measured b = before.get(i);
            Measured f = after.get(i);
            rose += f.logprob() > b.logprob() ? 1 : 0;
            right += f.answer().startsWith(p.truth()) ? 1 : 0;
            String q = p.prompt().replace("Q: ", "").replace("\nA:", "").strip();
            System.out.printf(Locale.ROOT, "%-16s %-48s %-20s %-20s %-20s %9.2f %9.2f%n", cut(p.kind(), 16), cut(q, 48), cut(p.truth(), 20),
                    cut(b.answer(), 20), cut(f.answer(), 20), b.logprob(), f.logprob());
        }
        System.out.printf("%nlog-probability of the true answer rose for %d of %d questions; %d answered correctly after (greedy)%n", rose,
                probes.size(), right);
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("demo: could not delete " + dir + ": " + e);
        }
    }
}
