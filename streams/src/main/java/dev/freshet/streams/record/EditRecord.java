package dev.freshet.streams.record;

import java.util.List;

/**
 * A model edit: after adapting, the model should answer {@code prompt} with {@code target}, also
 * when asked in other words ({@code paraphrases}), while keeping its answers to {@code neighbors}.
 *
 * @param id the sender's id for the edit, unique within the tenant
 * @param prompt the question or sentence start; never blank
 * @param target the new answer; never blank
 * @param paraphrases other wordings of the prompt, for measuring generalisation; may be empty
 * @param neighbors unrelated prompts whose answers must not change; may be empty
 */
public record EditRecord(String id, String prompt, String target, List<String> paraphrases, List<Neighbor> neighbors) {

    /**
     * Copies both lists, so an edit is immutable.
     *
     * @throws InvalidRecordException if a field is missing or blank, or a list holds a blank or null entry
     */
    public EditRecord {
        Texts.requireId(id);
        Texts.requireText(prompt, "prompt");
        Texts.requireText(target, "target");
        paraphrases = Texts.requireTexts(paraphrases, "paraphrases");
        if (neighbors == null) {
            neighbors = List.of();
        } else {
            for (int i = 0; i < neighbors.size(); i++) {
                Texts.requireNonNull(neighbors.get(i), "neighbors[" + i + "]");
            }
            neighbors = List.copyOf(neighbors);
        }
    }

    /** An edit with no paraphrases and no neighbors. */
    public EditRecord(String id, String prompt, String target) {
        this(id, prompt, target, List.of(), List.of());
    }
}
