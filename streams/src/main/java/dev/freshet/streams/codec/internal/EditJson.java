package dev.freshet.streams.codec.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.freshet.streams.record.EditRecord;
import dev.freshet.streams.record.InvalidRecordException;
import dev.freshet.streams.record.Neighbor;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of an {@link EditRecord}: {@code {"id", "prompt", "target"}} plus optional
 * {@code "paraphrases": ["..."]} and {@code "neighbors": [{"prompt", "target"}]}.
 */
public final class EditJson {

    private EditJson() {}

    public static EditRecord read(Fields fields) {
        String id = fields.text("id");
        String prompt = fields.text("prompt");
        String target = fields.text("target");
        List<String> paraphrases = new ArrayList<>();
        fields.optionalArray("paraphrases").ifPresent(array -> {
            for (int i = 0; i < array.size(); i++) {
                paraphrases.add(fields.textAt(array, "paraphrases", i));
            }
        });
        List<Neighbor> neighbors = new ArrayList<>();
        fields.optionalArray("neighbors").ifPresent(array -> {
            for (int i = 0; i < array.size(); i++) {
                neighbors.add(neighbor(fields.objectAt(array, "neighbors", i), "neighbors[" + i + "]"));
            }
        });
        return new EditRecord(id, prompt, target, paraphrases, neighbors);
    }

    public static ObjectNode write(EditRecord edit) {
        ObjectNode node = JsonText.MAPPER.createObjectNode();
        node.put("id", edit.id());
        node.put("prompt", edit.prompt());
        node.put("target", edit.target());
        ArrayNode paraphrases = node.putArray("paraphrases");
        edit.paraphrases().forEach(paraphrases::add);
        ArrayNode neighbors = node.putArray("neighbors");
        for (Neighbor neighbor : edit.neighbors()) {
            neighbors.addObject().put("prompt", neighbor.prompt()).put("target", neighbor.target());
        }
        return node;
    }

    private static Neighbor neighbor(Fields fields, String path) {
        String prompt = fields.text("prompt");
        String target = fields.text("target");
        try {
            return new Neighbor(prompt, target);
        } catch (InvalidRecordException e) {
            // Neighbor does not know where it sits; say which one, so the sender can find it.
            throw new InvalidRecordException(e.rejection().reason(), path + ": " + e.rejection().detail());
        }
    }
}
