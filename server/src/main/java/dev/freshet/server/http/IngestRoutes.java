package dev.freshet.server.http;

import dev.freshet.streams.codec.Decoded;
import dev.freshet.streams.codec.RecordCodec;
import dev.freshet.streams.kafka.Topics;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.TenantId;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiFunction;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code POST /v1/documents} and {@code POST /v1/edits}: a convenience to put one record on the stream over
 * HTTP. The body is the record's JSON ({@code {"id", "text"}} or {@code {"id", "prompt", "target"}}), plus an
 * optional {@code "tenant"}; the tenant may instead come from the {@code X-Tenant} header and is
 * {@code default} otherwise. The record is validated with the same {@link RecordCodec} the consumers use, so
 * what would be dead-lettered is refused here with 400 and the reason; an accepted record is produced with
 * the tenant as key, and the answer is 202 with its topic, partition and offset (it is queued for training,
 * not yet learned). Both routes are write routes: they need the admin token when one is configured.
 */
public final class IngestRoutes implements RouteContributor {

    /** The header naming the tenant when the body does not. */
    public static final String TENANT_HEADER = "X-Tenant";

    private final Producer<String, byte[]> producer;
    private final Topics topics;
    private final RecordCodec codec;

    /** @param producer shared, thread-safe; owned by the caller, who closes it after the HTTP API stops */
    public IngestRoutes(Producer<String, byte[]> producer, Topics topics, RecordCodec codec) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    @Override
    public void addRoutes(ApiRoutes routes) {
        WorkerExecutor blocking = routes.blockingExecutor();
        routes.protectedRoute(HttpMethod.POST, "/v1/documents")
                .handler(ctx -> ingest(ctx, blocking, topics.documents(), codec::decodeDocument, true));
        routes.protectedRoute(HttpMethod.POST, "/v1/edits")
                .handler(ctx -> ingest(ctx, blocking, topics.edits(), codec::decodeEdit, false));
    }

    private void ingest(RoutingContext ctx, WorkerExecutor blocking, String topic, BiFunction<String, byte[], Decoded<?>> decode, boolean document) {
        JsonObject body = ApiRoutes.jsonBody(ctx).copy();
        Object fromBody = body.remove("tenant");
        String tenant = fromBody != null ? fromBody.toString() : ctx.request().getHeader(TENANT_HEADER);
        if (tenant == null || tenant.isBlank()) {
            tenant = TenantId.DEFAULT.value();
        }
        byte[] value = body.encode().getBytes(StandardCharsets.UTF_8);
        Decoded<?> decoded = decode.apply(tenant, value);
        if (decoded instanceof Decoded.Rejected<?> rejected) {
            throw ApiException.badRequest(rejected.reason().name().toLowerCase(Locale.ROOT),
                    "record refused: " + rejected.detail());
        }
        Decoded.Accepted<?> ok = (Decoded.Accepted<?>) decoded;
        // Produce the canonical encoding, so consumers see exactly what was validated.
        byte[] canonical = document
                ? codec.encodeDocument((DocumentRecord) ok.value())
                : codec.encodeEdit((EditRecord) ok.value());
        String key = ok.tenant().value();
        Promise<JsonObject> sent = Promise.promise();
        // send() may block while fetching metadata; the callback runs on the producer's I/O thread.
        blocking.executeBlocking(() -> {
            producer.send(new ProducerRecord<>(topic, key, canonical), (meta, error) -> {
                if (error != null) {
                    sent.tryFail(error);
                } else {
                    sent.tryComplete(new JsonObject().put("object", document ? "document" : "edit").put("tenant", key)
                            .put("topic", meta.topic()).put("partition", meta.partition()).put("offset", meta.offset()));
                }
            });
            return null;
        }, false).onFailure(sent::tryFail);
        sent.future().onSuccess(json -> ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").end(json.encode()))
                .onFailure(e -> ctx.fail(new ApiException(503, "server_error", "kafka_unavailable", "could not produce to " + topic + ": " + e.getMessage())));
    }
}
