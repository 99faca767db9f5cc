package dev.freshet.server.training;

import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.Rejection;
import dev.freshet.streams.record.TenantId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Work items with recording receipts, for unit tests. */
final class Items {

    static final TenantId TENANT = new TenantId("acme");

    private Items() {}

    /** What became of each record, by {@code id@offset}: "durable" or the rejection's reason header value. */
    static final class Outcomes {
        final Map<String, String> byId = new ConcurrentHashMap<>();

        Receipt receipt(String key) {
            return new Receipt() {
                @Override
                public void durable() {
                    record(key, "durable");
                }

                @Override
                public void refused(Rejection rejection) {
                    record(key, rejection.reason().headerValue());
                }
            };
        }

        private void record(String id, String outcome) {
            String before = byId.put(id, outcome);
            if (before != null) {
                throw new AssertionError("outcome of " + id + " reported twice: " + before + ", then " + outcome);
            }
        }
    }

    static WorkItem.Document document(String id, long offset) {
        return document(id, offset, new Outcomes());
    }

    static WorkItem.Document document(String id, long offset, Outcomes outcomes) {
        return document(id, "Document " + id + " says Kreslux Systems was established in 2016.", offset, outcomes);
    }

    static WorkItem.Document document(String id, String text, long offset, Outcomes outcomes) {
        return new WorkItem.Document(TENANT, new DocumentRecord(id, text),
                new Origin("t.documents", 0, offset, 1_000 + offset, outcomes.receipt(id + "@" + offset)));
    }

    static WorkItem.Edit edit(String id, String prompt, String target, long offset, Outcomes outcomes) {
        return new WorkItem.Edit(TENANT, new EditRecord(id, prompt, target),
                new Origin("t.edits", 0, offset, 1_000 + offset, outcomes.receipt(id + "@" + offset)));
    }
}
