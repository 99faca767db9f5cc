package dev.freshet.server.training;

import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.DeadLetterPublisher;
import dev.freshet.streams.record.DeadLetter;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records whose version the quality gate refused go to the dead-letter topic, so that a producer learns that
 * its document or edit is not served and why, and can send it again. Without this, such a record would be
 * committed (it is covered by a durable version) and then silently never served.
 *
 * <p>The letter's value is the record re-encoded from what was decoded (the same fields; the original bytes are
 * gone by the time the gate decides), keyed by tenant, with the source position and the verdict in the headers.
 * The send is asynchronous and after the commit: if it fails, the rejection is still durable in the tenant's
 * version history ({@code GET /v1/adapters/{tenant}} lists the version, its verdict and the records it held).
 */
public record GateRejectionLetters(DeadLetterPublisher deadLetters, RecordCodec codec) implements TrainingEvents {

    private static final Logger LOG = LoggerFactory.getLogger(GateRejectionLetters.class);

    @Override
    public void gateRejected(TenantId tenant, long version, List<WorkItem> records, String verdict) {
        Rejection why = new Rejection(Reason.GATE_REJECTED, "version " + version + " of tenant " + tenant.value()
                + " was rejected by the quality gate: " + verdict);
        for (WorkItem item : records) {
            byte[] value = item instanceof WorkItem.Document d ? codec.encodeDocument(d.document()) : codec.encodeEdit(((WorkItem.Edit) item).edit());
            Origin o = item.origin();
            deadLetters.publish(DeadLetter.of(o.topic(), o.partition(), o.offset(), tenant.value(), value, why)).whenComplete((meta, error) -> {
                if (error != null) {
                    LOG.error("dead letter for {} ({}-{}@{}) of rejected version {} not sent; the version's history still lists it", item.id(),
                            o.topic(), o.partition(), o.offset(), version, error);
                }
            });
        }
    }
}
