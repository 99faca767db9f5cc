package dev.freshet.server.verticle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.model.ModelConfig;
import dev.freshet.server.serving.AdapterState;
import dev.freshet.server.serving.AdapterStore;
import dev.freshet.server.serving.GateVerdict;
import dev.freshet.server.serving.VersionInfo;
import dev.freshet.server.training.CoveredRecords;
import dev.freshet.server.training.IntakeSettings;
import dev.freshet.server.training.LocalStoreSink;
import dev.freshet.server.training.TestModels;
import dev.freshet.server.training.TrainingEvents;
import dev.freshet.server.training.TrainingSettings;
import dev.freshet.server.training.VersionSink;
import dev.freshet.server.training.WorkItem;
import dev.freshet.streams.codec.Decoded;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.embedded.EmbeddedKafka;
import dev.freshet.streams.kafka.CommitAfterDurable;
import dev.freshet.streams.kafka.CommitPolicy;
import dev.freshet.streams.kafka.DeadLetterHeaders;
import dev.freshet.streams.kafka.Topics;
import dev.freshet.streams.record.DeadLetter;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents and edits from a real in-process KRaft broker through the consumer verticles and the
 * training worker (tiny real model) into the adapter store on disk.
 */
@Timeout(180)
class TrainingPipelineIT {

    private static final TenantId ACME = new TenantId("acme");
    private static final TenantId GLOBEX = new TenantId("globex");

    @TempDir
    static Path brokerDir;

    private static EmbeddedKafka kafka;
    private static KafkaFixture fixture;
    private static LanguageModel model;
    private static Vertx vertx;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(brokerDir.resolve("kafka"), 0);
        fixture = new KafkaFixture(kafka.bootstrapServers());
        model = TestModels.tiny(11);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        Pipeline.await(vertx.close());
        model.close();
        fixture.close();
        kafka.close();
    }

    private static TrainingSettings settings(int batch) {
        return TrainingSettings.defaults(ModelConfig.Family.GPT2).withBatching(batch, Duration.ofMillis(300), 64);
    }

    private IntakeSettings intake(String group) {
        return new IntakeSettings(kafka.bootstrapServers(), group, 100, Duration.ofMillis(50), Duration.ofMillis(100));
    }

    private static String doc(String id) {
        return "{\"id\": \"" + id + "\", \"text\": \"Report " + id + ": Kreslux Systems was established in 2016.\"}";
    }

    @Test
    void documentsBecomeADurableVersionAndTheirOffsetsAreCommittedOnlyAfterIt() throws Exception {
        Topics topics = fixture.topics("p1", 2);
        List<String> ids = List.of("a1", "a2", "a3", "a4");
        int partition = -1;
        for (String id : ids) {
            partition = fixture.send(topics.documents(), ACME.value(), doc(id));
        }
        TopicPartition tp = new TopicPartition(topics.documents(), partition);
        AdapterStore store = new AdapterStore(dataDir);
        LocalStoreSink local = new LocalStoreSink(store);
        AtomicReference<Map<TopicPartition, Long>> committedWhileNotDurable = new AtomicReference<>();
        VersionSink inspecting = (tenant, candidate, covered) -> {
            try {
                Thread.sleep(600); // six commit intervals: an early commit would have happened by now
                committedWhileNotDurable.set(fixture.committed("it-p1.documents"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return local.accept(tenant, candidate, covered);
        };
        try (Pipeline p = new Pipeline(vertx, kafka.bootstrapServers(), topics, model, settings(4), store, inspecting,
                new CommitAfterDurable(), new CommitAfterDurable(), intake("it-p1"), TrainingEvents.NONE)) {
            KafkaFixture.await("offsets committed after the version", () -> Long.valueOf(4).equals(committed("it-p1.documents").get(tp)));
        }
        assertNull(committedWhileNotDurable.get().get(tp), "offsets were committed before the version covering them was durable");
        assertEquals(List.of(1L), store.versions(ACME.value()));
        assertEquals(ids, KafkaFixture.coveredIds(store, ACME, CoveredRecords.Kind.DOCUMENT), "the version covers exactly the produced ids");
        var offsets = store.manifest(ACME.value(), 1).extra().getAsJsonArray("offsets").get(0).getAsJsonObject();
        assertEquals(0, offsets.get("first").getAsLong());
        assertEquals(3, offsets.get("last").getAsLong());
    }

    @Test
    void malformedRecordsGoToTheDeadLetterTopicAndTheNextGoodOnesAreApplied() throws Exception {
        Topics topics = fixture.topics("p2", 1);
        fixture.send(topics.documents(), ACME.value(), "not json");
        fixture.send(topics.documents(), "Not A Tenant!", doc("x1"));
        fixture.send(topics.documents(), ACME.value(), doc("g1"));
        fixture.send(topics.edits(), ACME.value(), "{\"id\": \"e1\", \"prompt\": \"Q: Who?\\nA:\"}");
        fixture.send(topics.edits(), ACME.value(), "{\"id\": \"e2\", \"prompt\": \"Q: When was Kreslux founded?\\nA:\", \"target\": \"2019\"}");
        AdapterStore store = new AdapterStore(dataDir);
        try (Pipeline p = new Pipeline(vertx, kafka.bootstrapServers(), topics, model, settings(8), store, new LocalStoreSink(store),
                new CommitAfterDurable(), new CommitAfterDurable(), intake("it-p2"), TrainingEvents.NONE)) {
            KafkaFixture.await("the good document and edit are applied", () ->
                    covered(store, ACME, CoveredRecords.Kind.DOCUMENT).contains("g1") && covered(store, ACME, CoveredRecords.Kind.EDIT).contains("e2"));
            KafkaFixture.await("dead letters and versions let every offset be committed", () ->
                    Long.valueOf(3).equals(committed("it-p2.documents").get(new TopicPartition(topics.documents(), 0)))
                            && Long.valueOf(2).equals(committed("it-p2.edits").get(new TopicPartition(topics.edits(), 0))));
        }
        List<DeadLetter> letters = new ArrayList<>();
        fixture.read(topics.deadLetter(), 3).forEach(r -> letters.add(DeadLetterHeaders.read(r).orElseThrow()));
        Map<String, Reason> reasonBySource = new java.util.HashMap<>();
        letters.forEach(l -> reasonBySource.put(l.sourceTopic() + "@" + l.offset(), l.reason()));
        assertEquals(Map.of(topics.documents() + "@0", Reason.MALFORMED_JSON, topics.documents() + "@1", Reason.INVALID_TENANT,
                topics.edits() + "@0", Reason.MISSING_FIELD), reasonBySource);
        assertEquals(List.of("g1"), KafkaFixture.coveredIds(store, ACME, CoveredRecords.Kind.DOCUMENT));
        assertEquals(List.of("e2"), KafkaFixture.coveredIds(store, ACME, CoveredRecords.Kind.EDIT));
    }

    /** A version the gate refuses is committed (durable), and each record it held goes to the dead-letter topic with the verdict. */
    @Test
    void theRecordsOfAVersionTheGateRejectsAreDeadLetteredWithTheVerdict() throws Exception {
        Topics topics = fixture.topics("p9", 1);
        fixture.send(topics.documents(), ACME.value(), doc("r1"));
        fixture.send(topics.edits(), ACME.value(), "{\"id\": \"e1\", \"prompt\": \"Q: When was Kreslux founded?\\nA:\", \"target\": \"2019\"}");
        AdapterStore store = new AdapterStore(dataDir);
        String verdict = "old-world perplexity 1.500 -> 1.900 (+26.7%, limit 5.0%)";
        VersionSink rejecting = (tenant, candidate, covered) -> { // as the registry does when its gate refuses
            try (candidate) {
                store.save(tenant.value(), candidate);
                store.writeHistoryRecord(tenant.value(), VersionInfo.of(candidate.manifest(), AdapterState.REJECTED, new GateVerdict(false, verdict, 0, Map.of())));
                return VersionSink.Outcome.REJECTED;
            }
        };
        try (Pipeline p = new Pipeline(vertx, kafka.bootstrapServers(), topics, model, settings(8), store, rejecting,
                new CommitAfterDurable(), new CommitAfterDurable(), intake("it-p9"), TrainingEvents.NONE)) {
            KafkaFixture.await("the rejected versions' records are committed", () ->
                    Long.valueOf(1).equals(committed("it-p9.documents").get(new TopicPartition(topics.documents(), 0)))
                            && Long.valueOf(1).equals(committed("it-p9.edits").get(new TopicPartition(topics.edits(), 0))));
        }
        Map<String, DeadLetter> bySource = new java.util.HashMap<>();
        fixture.read(topics.deadLetter(), 2).forEach(r -> {
            DeadLetter l = DeadLetterHeaders.read(r).orElseThrow();
            bySource.put(l.sourceTopic() + "@" + l.offset(), l);
        });
        assertEquals(Set.of(topics.documents() + "@0", topics.edits() + "@0"), bySource.keySet());
        RecordCodec codec = new RecordCodec();
        DeadLetter d = bySource.get(topics.documents() + "@0");
        assertEquals(Reason.GATE_REJECTED, d.reason());
        assertTrue(d.detail().contains("rejected by the quality gate: " + verdict), d.detail());
        assertEquals(ACME.value(), d.key());
        var doc = ((Decoded.Accepted<DocumentRecord>) codec.decodeDocument(d.key(), d.value())).value();
        assertEquals("r1", doc.id(), "the letter carries the record, ready to be produced again");
        assertTrue(doc.text().contains("Kreslux Systems was established in 2016."));
        var edit = ((Decoded.Accepted<EditRecord>) codec.decodeEdit(ACME.value(), bySource.get(topics.edits() + "@0").value())).value();
        assertEquals("2019", edit.target());
    }

    @Test
    void aRestartAppliesEveryRecordExactlyOnceInEffect() throws Exception {
        Topics topics = fixture.topics("p3", 2);
        Map<TenantId, List<String>> produced = Map.of(ACME, new ArrayList<>(), GLOBEX, new ArrayList<>());
        for (int i = 0; i < 16; i++) {
            TenantId tenant = i % 4 == 3 ? GLOBEX : ACME;
            String id = tenant.value().charAt(0) + "-" + i;
            produced.get(tenant).add(id);
            fixture.send(topics.documents(), tenant.value(), doc(id));
        }
        AdapterStore store = new AdapterStore(dataDir);

        // Run 1 "crashes" right after its second durable version: from then on no offset is
        // committed, as if the process died between making versions durable and committing.
        LocalStoreSink local1 = new LocalStoreSink(store);
        FreezablePolicy frozen = new FreezablePolicy();
        AtomicInteger versions = new AtomicInteger();
        VersionSink crashing = (tenant, candidate, covered) -> {
            if (versions.incrementAndGet() == 2) {
                frozen.freeze();
            }
            return local1.accept(tenant, candidate, covered);
        };
        try (Pipeline p = new Pipeline(vertx, kafka.bootstrapServers(), topics, model, settings(4), store, crashing,
                frozen, new CommitAfterDurable(), intake("it-p3"), TrainingEvents.NONE)) {
            KafkaFixture.await("two versions", () -> versions.get() >= 2);
        }
        int coveredAfterRun1 = KafkaFixture.coveredIds(store, ACME, CoveredRecords.Kind.DOCUMENT).size()
                + KafkaFixture.coveredIds(store, GLOBEX, CoveredRecords.Kind.DOCUMENT).size();

        // Run 2 on the same data directory and consumer group: re-delivered covered records are skipped.
        List<String> skipped = new CopyOnWriteArrayList<>();
        TrainingEvents events = new TrainingEvents() {
            @Override
            public void skipped(WorkItem item) {
                skipped.add(item.id());
            }
        };
        try (Pipeline p = new Pipeline(vertx, kafka.bootstrapServers(), topics, model, settings(4), store, new LocalStoreSink(store),
                new CommitAfterDurable(), new CommitAfterDurable(), intake("it-p3"), events)) {
            KafkaFixture.await("every record covered", () -> covered(store, ACME, CoveredRecords.Kind.DOCUMENT).size() == 12
                    && covered(store, GLOBEX, CoveredRecords.Kind.DOCUMENT).size() == 4);
            Map<TopicPartition, Long> ends = fixture.endOffsets(topics.documents(), 2);
            KafkaFixture.await("all offsets committed", () -> committed("it-p3.documents").equals(ends));
        }
        for (TenantId tenant : List.of(ACME, GLOBEX)) {
            List<String> covered = KafkaFixture.coveredIds(store, tenant, CoveredRecords.Kind.DOCUMENT);
            assertEquals(produced.get(tenant).size(), covered.size(), tenant + ": some record is in two versions: " + covered);
            assertEquals(new HashSet<>(produced.get(tenant)), new HashSet<>(covered), tenant + ": some record is in no version");
        }
        assertTrue(coveredAfterRun1 >= 2, "run 1 made durable versions");
        assertFalse(skipped.isEmpty(), "run 2 saw records that run 1 made durable but never committed, and skipped them");
        assertTrue(skipped.stream().allMatch(id -> Set.copyOf(produced.get(id.startsWith("a") ? ACME : GLOBEX)).contains(id)));
    }

    private static Set<String> covered(AdapterStore store, TenantId tenant, CoveredRecords.Kind kind) {
        try {
            return new HashSet<>(KafkaFixture.coveredIds(store, tenant, kind));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Map<TopicPartition, Long> committed(String group) {
        try {
            return fixture.committed(group);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** {@link CommitAfterDurable} that, once frozen, never lets an offset be committed: a simulated crash. */
    static final class FreezablePolicy implements CommitPolicy {
        private final CommitAfterDurable delegate = new CommitAfterDurable();
        private final AtomicBoolean frozen = new AtomicBoolean();

        void freeze() {
            frozen.set(true);
        }

        @Override
        public void consumed(TopicPartition partition, long offset) {
            delegate.consumed(partition, offset);
        }

        @Override
        public void durable(TopicPartition partition, long offset) {
            delegate.durable(partition, offset);
        }

        @Override
        public Map<TopicPartition, OffsetAndMetadata> offsetsToCommit() {
            return frozen.get() ? Map.of() : delegate.offsetsToCommit();
        }

        @Override
        public void forget(Collection<TopicPartition> partitions) {
            delegate.forget(partitions);
        }
    }
}
