package dev.freshet.streams.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CommitAfterDurableTest {

    private static final TopicPartition P0 = new TopicPartition("freshet.documents", 0);
    private static final TopicPartition P1 = new TopicPartition("freshet.documents", 1);

    private final CommitAfterDurable policy = new CommitAfterDurable();

    @Test
    void commitsNothingUntilSomethingIsDurable() {
        consume(P0, 0, 1, 2);
        assertEquals(Map.of(), policy.offsetsToCommit());
    }

    @Test
    void commitsPastTheDurablePrefixOnly() {
        consume(P0, 0, 1, 2, 3);
        policy.durable(P0, 0);
        policy.durable(P0, 2); // e.g. a dead letter acknowledged before offset 1 was trained on
        assertEquals(Map.of(P0, new OffsetAndMetadata(1)), policy.offsetsToCommit());
        policy.durable(P0, 1);
        assertEquals(Map.of(P0, new OffsetAndMetadata(3)), policy.offsetsToCommit());
    }

    @Test
    void returnsEachOffsetOnce() {
        consume(P0, 0);
        policy.durable(P0, 0);
        assertEquals(Map.of(P0, new OffsetAndMetadata(1)), policy.offsetsToCommit());
        assertEquals(Map.of(), policy.offsetsToCommit());
        policy.durable(P0, 0); // a second report changes nothing
        assertEquals(Map.of(), policy.offsetsToCommit());
    }

    @Test
    void tracksPartitionsSeparatelyAndToleratesOffsetGaps() {
        consume(P0, 10, 12, 15); // gaps: compaction or transaction markers
        consume(P1, 0);
        policy.durable(P0, 10);
        policy.durable(P0, 12);
        assertEquals(Map.of(P0, new OffsetAndMetadata(13)), policy.offsetsToCommit());
        policy.durable(P1, 0);
        policy.durable(P0, 15);
        assertEquals(Map.of(P0, new OffsetAndMetadata(16), P1, new OffsetAndMetadata(1)), policy.offsetsToCommit());
    }

    @Test
    void forgetsRevokedPartitionsAndIgnoresTheirLateReports() {
        consume(P0, 0, 1);
        policy.forget(List.of(P0));
        policy.durable(P0, 0);
        assertEquals(Map.of(), policy.offsetsToCommit());
    }

    @Test
    void refusesADurableReportForARecordNeverConsumed() {
        consume(P0, 0);
        assertThrows(IllegalStateException.class, () -> policy.durable(P0, 5));
    }

    private void consume(TopicPartition partition, long... offsets) {
        for (long offset : offsets) {
            policy.consumed(partition, offset);
        }
    }
}
