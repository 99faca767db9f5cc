package dev.freshet.server.training;

import java.util.Locale;

/**
 * Which of a tenant adapter's tensors the MWI slow copy follows ({@code training.mwi.scope}, {@code --mwi-scope}).
 *
 * <p>Why two: on the default model a slow copy at τ 0.98 served the same document uptake with a third of the old-world
 * perplexity rise ({@code bench documents}), but cost edits 7–8 points of efficacy ({@code bench edits}), because a fact
 * correction flips its answer only once its weights are nearly all the way trained. With {@code locft-keys} the edits
 * live in their own dense deltas ({@link TenantAdapter}), so the slow copy can smooth what documents train and leave
 * each correction served as trained. On 1,000 documents with 100 edits among them ({@code bench documents --edits 100},
 * τ 0.98) that served the same document uptake and edit scores as no MWI at half the old-world perplexity rise, where
 * MWI over every tensor changed nothing (the edit rounds' steps kept the slow copy on the trained one).
 */
public enum MwiScope {
    /** Every tensor: what {@code eval forgetting} measures. */
    ALL,
    /**
     * Every tensor but the edit learner's own dense deltas, which are served as trained; the slow copy moves on document
     * steps only, and edits train over it, so an edit is learned over the weights it is served with. Needs
     * {@code locft-keys} on a LoRA adapter.
     */
    DOCUMENTS;

    /** The option's spelling. */
    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the key and the choices */
    public static MwiScope parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "all" -> ALL;
            case "documents" -> DOCUMENTS;
            default -> throw new IllegalArgumentException("training.mwi.scope must be all or documents, got '" + text + "'");
        };
    }
}
