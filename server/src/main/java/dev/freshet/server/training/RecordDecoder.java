package dev.freshet.server.training;

import dev.freshet.streams.codec.Decoded;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a consumed Kafka record into a work item, or the reason it is refused: the codec, plus the
 * record's origin. One per consumed topic.
 */
@FunctionalInterface
public interface RecordDecoder {

    /** Decodes {@code record}; never throws for bad input. */
    Decoded<WorkItem> decode(ConsumerRecord<String, byte[]> record, Origin origin);

    /** Documents from {@code freshet.documents}. */
    static RecordDecoder documents(RecordCodec codec) {
        return (record, origin) -> {
            Decoded<DocumentRecord> decoded = codec.decodeDocument(record.key(), record.value());
            if (decoded instanceof Decoded.Accepted<DocumentRecord> ok) {
                return new Decoded.Accepted<>(ok.tenant(), new WorkItem.Document(ok.tenant(), ok.value(), origin));
            }
            return Decoded.Rejected.of(((Decoded.Rejected<?>) decoded).rejection());
        };
    }

    /** Edits from {@code freshet.edits}. */
    static RecordDecoder edits(RecordCodec codec) {
        return (record, origin) -> {
            Decoded<EditRecord> decoded = codec.decodeEdit(record.key(), record.value());
            if (decoded instanceof Decoded.Accepted<EditRecord> ok) {
                return new Decoded.Accepted<>(ok.tenant(), new WorkItem.Edit(ok.tenant(), ok.value(), origin));
            }
            return Decoded.Rejected.of(((Decoded.Rejected<?>) decoded).rejection());
        };
    }
}
