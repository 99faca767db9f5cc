package dev.freshet.streams.codec;

import static dev.freshet.streams.codec.CodecAssertions.assertAccepted;
import static dev.freshet.streams.codec.CodecAssertions.assertRejected;
import static dev.freshet.streams.codec.CodecAssertions.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.freshet.streams.record.AdapterEvent;
import dev.freshet.streams.record.Reason;
import dev.freshet.streams.record.TenantId;
import dev.freshet.streams.record.WeightsLocation;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdapterEventCodecTest {

    private static final TenantId ACME = new TenantId("acme");

    private final RecordCodec codec = new RecordCodec();

    @Test
    void roundTripsInlineWeightsLargerThanTheTextLimit() {
        byte[] weights = new byte[300_000]; // adapter events are exempt from the 64 KiB text limit
        new Random(1).nextBytes(weights);
        AdapterEvent event = new AdapterEvent(ACME, 7, 6, "camels", "{\"covered_ids\":[\"d1\",\"d2\"],\"loss\":1.5}",
                new WeightsLocation.Inline(weights));
        Decoded.Accepted<AdapterEvent> ok = assertAccepted(codec.decodeAdapterEvent("acme", codec.encodeAdapterEvent(event)));
        assertEquals(event, ok.value());
        assertEquals(ACME, ok.tenant());
    }

    @Test
    void roundTripsStoredWeightsAndReadsTheWireForm() {
        byte[] wire = json("{'tenant':'acme','version':2,'parent_version':1,'method':'locft-bf',"
                + "'manifest':{ 'edits' : 3 },'weights':{'uri':'file:///var/lib/freshet/acme/2.safetensors'}}");
        AdapterEvent event = assertAccepted(codec.decodeAdapterEvent("acme", wire)).value();
        assertEquals(new AdapterEvent(ACME, 2, 1, "locft-bf", "{\"edits\":3}",
                new WeightsLocation.Stored("file:///var/lib/freshet/acme/2.safetensors")), event);
        assertArrayEquals(codec.encodeAdapterEvent(event),
                codec.encodeAdapterEvent(assertAccepted(codec.decodeAdapterEvent("acme", codec.encodeAdapterEvent(event))).value()));
        String text = new String(codec.encodeAdapterEvent(event), StandardCharsets.UTF_8);
        assertEquals("{\"tenant\":\"acme\",\"version\":2,\"parent_version\":1,\"method\":\"locft-bf\",\"manifest\":{\"edits\":3},"
                + "\"weights\":{\"uri\":\"file:///var/lib/freshet/acme/2.safetensors\"}}", text);
    }

    @Test
    void rejectsAKeyThatDisagreesWithTheTenantField() {
        byte[] wire = codec.encodeAdapterEvent(new AdapterEvent(ACME, 1, 0, "mwi", "{}", new WeightsLocation.Stored("s3://b/k")));
        assertRejected(codec.decodeAdapterEvent("other", wire), Reason.INVALID_TENANT, "'acme'");
    }

    @Test
    void rejectsBadWeights() {
        String head = "{'tenant':'acme','version':1,'parent_version':0,'method':'mwi','manifest':{},";
        assertRejected(codec.decodeAdapterEvent("acme", json(head + "'weights':{}}")), Reason.MISSING_FIELD, "'weights'");
        assertRejected(codec.decodeAdapterEvent("acme", json(head + "'weights':{'inline':'AAAA','uri':'s3://b/k'}}")),
                Reason.UNKNOWN_SCHEMA, "exactly one");
        assertRejected(codec.decodeAdapterEvent("acme", json(head + "'weights':{'inline':'not base64!'}}")),
                Reason.UNKNOWN_SCHEMA, "'weights.inline' is not valid base64");
        assertRejected(codec.decodeAdapterEvent("acme", json(head + "'weights':{'uri':5}}")),
                Reason.UNKNOWN_SCHEMA, "'weights.uri' must be a string");
        assertRejected(codec.decodeAdapterEvent("acme", json(head + "'weights':'s3://b/k'}")),
                Reason.UNKNOWN_SCHEMA, "'weights' must be an object");
    }

    @Test
    void rejectsBadVersionsAndManifests() {
        String tail = "'method':'mwi','weights':{'uri':'s3://b/k'}";
        assertRejected(codec.decodeAdapterEvent("acme", json("{'tenant':'acme','version':'2','parent_version':1,'manifest':{}," + tail + "}")),
                Reason.UNKNOWN_SCHEMA, "'version' must be an integer, got string");
        assertRejected(codec.decodeAdapterEvent("acme", json("{'tenant':'acme','version':1.5,'parent_version':1,'manifest':{}," + tail + "}")),
                Reason.UNKNOWN_SCHEMA, "'version'");
        assertRejected(codec.decodeAdapterEvent("acme", json("{'tenant':'acme','version':2,'manifest':{}," + tail + "}")),
                Reason.MISSING_FIELD, "'parent_version'");
        assertRejected(codec.decodeAdapterEvent("acme", json("{'tenant':'acme','version':2,'parent_version':2,'manifest':{}," + tail + "}")),
                Reason.UNKNOWN_SCHEMA, "'parent_version'");
        assertRejected(codec.decodeAdapterEvent("acme", json("{'tenant':'acme','version':2,'parent_version':1,'manifest':[]," + tail + "}")),
                Reason.UNKNOWN_SCHEMA, "'manifest' must be an object");
    }

    @Test
    void refusesToEncodeAManifestThatIsNotAJsonObject() {
        AdapterEvent bad = new AdapterEvent(ACME, 1, 0, "mwi", "[1]", new WeightsLocation.Stored("s3://b/k"));
        assertThrows(IllegalArgumentException.class, () -> codec.encodeAdapterEvent(bad));
    }
}
