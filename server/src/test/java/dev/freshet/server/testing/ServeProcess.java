package dev.freshet.server.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.freshet.adaptation.world.World;
import dev.freshet.adaptation.world.WorldDocument;
import dev.freshet.server.training.CoveredRecords;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code freshet serve} as a separate operating-system process, started from the shaded jar the way
 * {@code bin/freshet} starts it, for tests that kill servers or run several. Output goes to a log file
 * beside its data directory, quoted in failures.
 */
public final class ServeProcess implements AutoCloseable {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String name;
    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final int port;

    private ServeProcess(String name, Process process, Path dataDir, Path log, int port) {
        this.name = name;
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts {@code serve} on a free loopback port with the given extra options.
     *
     * @param dataDir its data directory; the log is written to {@code <dataDir>.log}
     */
    public static ServeProcess start(String name, Path dataDir, String bootstrap, String... options) throws IOException {
        Path jar = Path.of("target", "freshet.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the shaded jar is built in the package phase; missing: " + jar);
        }
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xss4m", "-Xmx512m",
                "-XX:+IgnoreUnrecognizedVMOptions", "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                "serve", "--kafka", bootstrap, "--data-dir", dataDir.toString(), "--http-host", "127.0.0.1", "--http-port",
                Integer.toString(port), "--device", "cpu"));
        cmd.addAll(List.of(options));
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        Files.createDirectories(dataDir.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServeProcess(name, p, dataDir, log, port);
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for {@code /health/ready}; fails with the log if the process exits first. */
    public ServeProcess awaitReady(Duration timeout) throws Exception {
        URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            requireAlive();
            try {
                if (CLIENT.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " not ready within " + timeout + "\n" + log());
    }

    public void requireAlive() {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + log());
        }
    }

    /** SIGKILL: no shutdown hook, no final commit. Waits for the exit. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** GET on this server; the body. */
    public String get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM and a clean stop; SIGKILL if it takes over a minute. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** The process's output so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Produces {@code perTenant} documents of the world for each tenant, interleaved (one per tenant in turn),
     * ids {@code <tenant>-<document id>}; flushed before it returns.
     *
     * @return the produced ids per tenant
     */
    public static Map<String, List<String>> produceDocuments(KafkaProducer<String, byte[]> producer, String topic, World world,
            List<String> tenants, int perTenant) {
        Map<String, List<String>> produced = new TreeMap<>();
        int next = 0;
        for (int i = 0; i < perTenant; i++) {
            for (String tenant : tenants) {
                WorldDocument doc = world.documents().get(next++);
                String id = tenant + "-" + doc.id();
                JsonObject json = new JsonObject();
                json.addProperty("id", id);
                json.addProperty("text", doc.text());
                producer.send(new ProducerRecord<>(topic, tenant, json.toString().getBytes(StandardCharsets.UTF_8)));
                produced.computeIfAbsent(tenant, t -> new ArrayList<>()).add(id);
            }
        }
        producer.flush();
        return produced;
    }

    /** Per tenant: how many versions stored under {@code dataDir} cover each document id. */
    public static Map<String, Map<String, Integer>> coveredDocuments(Path dataDir, List<String> tenants) throws IOException {
        Map<String, Map<String, Integer>> out = new HashMap<>();
        for (String tenant : tenants) {
            Path t = dataDir.resolve("adapters").resolve(tenant);
            if (!Files.isDirectory(t)) {
                continue;
            }
            try (Stream<Path> versions = Files.list(t)) {
                for (Path v : versions.filter(x -> x.getFileName().toString().matches("v\\d+")).toList()) {
                    Path manifest = v.resolve("manifest.json");
                    if (!Files.isRegularFile(manifest)) {
                        continue;
                    }
                    JsonObject m = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
                    JsonObject extra = m.has("extra") ? m.getAsJsonObject("extra") : new JsonObject();
                    for (String id : CoveredRecords.idsIn(extra, CoveredRecords.Kind.DOCUMENT)) {
                        out.computeIfAbsent(tenant, k -> new HashMap<>()).merge(id, 1, Integer::sum);
                    }
                }
            }
        }
        return out;
    }

    /** Distinct document ids covered, over all tenants. */
    public static int coveredCount(Path dataDir, List<String> tenants) throws IOException {
        return coveredDocuments(dataDir, tenants).values().stream().mapToInt(Map::size).sum();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
