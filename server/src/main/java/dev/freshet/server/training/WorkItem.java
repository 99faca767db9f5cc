package dev.freshet.server.training;

import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.TenantId;
import java.util.Objects;

/**
 * One decoded record handed from a consumer to the training worker: a document or an edit, with its
 * tenant and origin. Only valid records become work items; refused ones go straight to the
 * dead-letter topic from the consumer.
 */
public sealed interface WorkItem permits WorkItem.Document, WorkItem.Edit {

    /** The tenant whose adapter learns from it. */
    TenantId tenant();

    /** The sender's id, unique within the tenant and the record kind. */
    String id();

    /** Where it came from. */
    Origin origin();

    /** A document to learn the facts of. */
    record Document(TenantId tenant, DocumentRecord document, Origin origin) implements WorkItem {
        public Document {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(document, "document");
            Objects.requireNonNull(origin, "origin");
        }

        @Override
        public String id() {
            return document.id();
        }
    }

    /** An edit to apply. */
    record Edit(TenantId tenant, EditRecord edit, Origin origin) implements WorkItem {
        public Edit {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(edit, "edit");
            Objects.requireNonNull(origin, "origin");
        }

        @Override
        public String id() {
            return edit.id();
        }
    }
}
