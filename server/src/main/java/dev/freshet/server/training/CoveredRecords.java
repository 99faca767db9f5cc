package dev.freshet.server.training;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The records an adapter version includes for the first time: what makes "exactly once in effect"
 * checkable. Written into the version's manifest ({@link #toJson()} under {@code extra}) and read
 * back on start ({@link #idsIn}), so records re-delivered after a crash are recognised and skipped.
 *
 * @param records one entry per record, in training order
 */
public record CoveredRecords(List<Entry> records) {

    /** The two kinds of record, whose ids live in separate namespaces. */
    public enum Kind {
        DOCUMENT("documents"),
        EDIT("edits");

        private final String jsonName;

        Kind(String jsonName) {
            this.jsonName = jsonName;
        }

        /** The key under {@code covered} in the manifest. */
        public String jsonName() {
            return jsonName;
        }

        /** The kind of a work item. */
        public static Kind of(WorkItem item) {
            return item instanceof WorkItem.Document ? DOCUMENT : EDIT;
        }
    }

    /**
     * One covered record.
     *
     * @param timestampMs its Kafka timestamp, for freshness (record to first served version)
     */
    public record Entry(Kind kind, String id, String topic, int partition, long offset, long timestampMs) {
        public Entry {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(topic, "topic");
        }

        /** The entry of a work item. */
        public static Entry of(WorkItem item) {
            Origin o = item.origin();
            return new Entry(Kind.of(item), item.id(), o.topic(), o.partition(), o.offset(), o.timestampMs());
        }
    }

    /** Contiguous offsets {@code [first, last]} of one partition that a version covers. */
    public record OffsetRange(String topic, int partition, long first, long last) {}

    public CoveredRecords {
        records = List.copyOf(records);
    }

    /** The ids of one kind, in order. */
    public Set<String> ids(Kind kind) {
        Set<String> out = new LinkedHashSet<>();
        records.stream().filter(e -> e.kind() == kind).forEach(e -> out.add(e.id()));
        return out;
    }

    /** The covered offsets as maximal contiguous runs, per partition, sorted. */
    public List<OffsetRange> offsetRanges() {
        Map<String, TreeMap<Integer, List<Long>>> byTopic = new TreeMap<>();
        for (Entry e : records) {
            byTopic.computeIfAbsent(e.topic(), t -> new TreeMap<>()).computeIfAbsent(e.partition(), p -> new ArrayList<>()).add(e.offset());
        }
        List<OffsetRange> out = new ArrayList<>();
        byTopic.forEach((topic, partitions) -> partitions.forEach((partition, offsets) -> {
            offsets.sort(Comparator.naturalOrder());
            long first = offsets.get(0);
            long last = first;
            for (long o : offsets.subList(1, offsets.size())) {
                if (o > last + 1) {
                    out.add(new OffsetRange(topic, partition, first, last));
                    first = o;
                }
                last = o;
            }
            out.add(new OffsetRange(topic, partition, first, last));
        }));
        return out;
    }

    /**
     * The manifest form: {@code {"covered": {"documents": [ids], "edits": [ids]}, "offsets":
     * [{"topic", "partition", "first", "last"}], "record_time_ms": {"min", "max"}}}.
     */
    public JsonObject toJson() {
        JsonObject covered = new JsonObject();
        for (Kind kind : Kind.values()) {
            JsonArray ids = new JsonArray();
            ids(kind).forEach(ids::add);
            covered.add(kind.jsonName(), ids);
        }
        JsonArray offsets = new JsonArray();
        for (OffsetRange r : offsetRanges()) {
            JsonObject o = new JsonObject();
            o.addProperty("topic", r.topic());
            o.addProperty("partition", r.partition());
            o.addProperty("first", r.first());
            o.addProperty("last", r.last());
            offsets.add(o);
        }
        JsonObject out = new JsonObject();
        out.add("covered", covered);
        out.add("offsets", offsets);
        if (!records.isEmpty()) {
            JsonObject time = new JsonObject();
            time.addProperty("min", records.stream().mapToLong(Entry::timestampMs).min().getAsLong());
            time.addProperty("max", records.stream().mapToLong(Entry::timestampMs).max().getAsLong());
            out.add("record_time_ms", time);
        }
        return out;
    }

    /** The covered ids of one kind recorded in a manifest's {@code extra}; empty if it records none. */
    public static Set<String> idsIn(JsonObject extra, Kind kind) {
        Set<String> out = new LinkedHashSet<>();
        if (extra.has("covered") && extra.getAsJsonObject("covered").has(kind.jsonName())) {
            for (JsonElement e : extra.getAsJsonObject("covered").getAsJsonArray(kind.jsonName())) {
                out.add(e.getAsString());
            }
        }
        return out;
    }

    /** Number of records. */
    public int size() {
        return records.size();
    }
}
