package dev.freshet.streams.record;

/**
 * A prompt the edit must not change, with the answer the model should keep giving: the locality
 * check of a model edit.
 *
 * @param prompt an unrelated prompt; never blank
 * @param target the answer the model gives to it now; never blank
 */
public record Neighbor(String prompt, String target) {

    /** @throws InvalidRecordException if either field is missing or blank */
    public Neighbor {
        Texts.requireText(prompt, "prompt");
        Texts.requireText(target, "target");
    }
}
