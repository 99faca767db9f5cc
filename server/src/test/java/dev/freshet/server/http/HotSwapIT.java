package dev.freshet.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.server.serving.Lease;
import dev.freshet.server.serving.RegistryListener;
import dev.freshet.server.serving.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;

/**
 * 200 concurrent requests (completions, streams, scores) while 50 versions are promoted: no request fails,
 * each names exactly one version, and a version's native memory is released only after its last pin.
 */
@ExtendWith(VertxExtension.class)
class HotSwapIT {

    private static final int REQUESTS = 200;
    private static final int VERSIONS = 50;

    @TempDir
    Path dataDir;

    @Test
    void twoHundredRequestsDuringFiftyPromotions(Vertx vertx) throws Exception {
        LanguageModel model = TestModels.model();
        Map<Long, AtomicInteger> testPins = new ConcurrentHashMap<>();
        Set<Long> released = ConcurrentHashMap.newKeySet();
        List<String> violations = new CopyOnWriteArrayList<>();
        RegistryListener observer = new RegistryListener() {
            @Override
            public void released(String tenant, long version) {
                if (testPins.getOrDefault(version, new AtomicInteger()).get() > 0) {
                    violations.add("v" + version + " released while the test still pinned it");
                }
                if (!released.add(version)) {
                    violations.add("v" + version + " released twice");
                }
            }
        };
        try (ApiServer server = new ApiServer(vertx, dataDir, ApiServer.config(), observer)) {
            server.registry.promote("acme", TestModels.candidate(model, 1, 0.5f));
            AtomicInteger submitted = new AtomicInteger();
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();

            // A request pins its version on arrival, so arrivals are spread over about a second and promotions
            // are paced by them: every promotion lands between arrivals. The inference pool is held busy for the
            // first half of the arrivals, so at least 100 requests are in flight at once whatever the machine's
            // speed, most of them pinned to versions retired before they run; the second half runs during swaps.
            WorkerExecutor pool = vertx.createSharedWorkerExecutor(HttpApiVerticle.INFER_POOL, 2);
            CountDownLatch halfway = new CountDownLatch(1);
            for (int t = 0; t < 2; t++) {
                pool.executeBlocking(() -> halfway.await(60, TimeUnit.SECONDS), false);
            }
            ExecutorService promoter = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-promoter"));
            CompletableFuture<Void> promotions = CompletableFuture.runAsync(() -> {
                for (long v = 2; v <= VERSIONS; v++) {
                    long due = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (submitted.get() < (v - 2) * REQUESTS / VERSIONS && System.nanoTime() < due) {
                        LockSupport.parkNanos(1_000_000); // no busy wait: the machine has two cores
                    }
                    try (Lease pin = server.registry.acquire("acme")) {
                        AtomicInteger count = testPins.computeIfAbsent(pin.version(), k -> new AtomicInteger());
                        count.incrementAndGet();
                        server.registry.promote("acme", TestModels.candidate(model, v, 0.5f));
                        // Retired but pinned: its weights must still be there and compute.
                        if (released.contains(pin.version()) || !Double.isFinite(model.score("Q:", " Sarvel", pin.adaptation()).total())) {
                            violations.add("v" + pin.version() + " unusable while pinned");
                        }
                        count.decrementAndGet(); // before close: the release it may trigger is then legitimate
                    } catch (Exception e) {
                        violations.add("promotion of v" + v + " failed: " + e);
                    }
                }
            }, promoter);

            List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                String path = i % 5 == 4 ? "/v1/score" : "/v1/completions";
                String body = switch (i % 5) {
                    case 4 -> "{\"model\": \"acme\", \"prompt\": \"Q: Where was Tovrak Melun born?\\nA:\", \"continuation\": \" Sarvel\"}";
                    case 3 -> "{\"model\": \"acme\", \"prompt\": \"Karvel Dynamics\", \"max_tokens\": 3, \"stream\": true}";
                    default -> "{\"model\": \"acme\", \"prompt\": \"Tovrak Melun\", \"max_tokens\": 3, \"temperature\": 0.8, \"seed\": " + i + "}";
                };
                peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                pending.add(server.postAsync(path, body).whenComplete((r, e) -> inFlight.decrementAndGet()));
                if (submitted.incrementAndGet() == REQUESTS / 2) {
                    halfway.countDown();
                }
                LockSupport.parkNanos(5_000_000);
            }

            Set<Long> seen = new TreeSet<>();
            for (CompletableFuture<HttpResponse<String>> f : pending) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                List<String> header = r.headers().allValues("X-Adapter-Version");
                assertEquals(1, header.size(), "exactly one version header");
                long version = Long.parseLong(header.get(0));
                assertTrue(version >= 1 && version <= VERSIONS, header.toString());
                for (String json : bodies(r)) {
                    assertEquals(version, new JsonObject(json).getLong("adapter_version"), "body and header name the same version");
                }
                seen.add(version);
            }
            promotions.get(120, TimeUnit.SECONDS);
            promoter.shutdown();
            pool.close();

            assertEquals(List.of(), violations);
            // How many versions a run sees depends on scheduling; two prove that promotions landed mid-load.
            assertTrue(seen.size() >= 2, "responses straddle promotions: " + seen);
            assertTrue(peak.get() >= REQUESTS / 2, "requests overlap: at most " + peak + " were in flight at once");
            System.out.printf("hot swap: %d requests, %d versions served, peak %d in flight%n", REQUESTS, seen.size(), peak.get());
            // Leases close before responses are written, so by now every retired version is released.
            assertEquals(LongStream.range(1, VERSIONS).boxed().collect(TreeSet::new, Set::add, Set::addAll), new TreeSet<>(released));
            assertEquals(VERSIONS, server.registry.acquire("acme").version());
            assertEquals(1.0, server.metrics.residentVersions().labelValues("acme").get(), "only the served version holds memory");
            assertEquals(VERSIONS, server.metrics.swaps().labelValues("acme", "promote").get());
        }
    }

    /** The JSON objects of a response: the body, or each event of a stream. */
    private static List<String> bodies(HttpResponse<String> r) {
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            return List.of(r.body());
        }
        List<String> out = new ArrayList<>();
        for (String event : r.body().split("\n\n")) {
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) {
                out.add(data);
            }
        }
        return out;
    }
}
