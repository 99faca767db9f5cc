package dev.freshet.adaptation.editing;

import dev.freshet.adaptation.adapter.Adapter;
import dev.freshet.adaptation.model.LanguageModel;

import java.util.List;
import java.util.Locale;

/** The order in which edits are visited: what separates LocFT-BF from classic fine-tuning editors. */
public enum EditOrder {
    /** Epochs of shuffled mini-batches over all edits (LocFT-BF, arXiv 2509.22072). */
    BREADTH_FIRST("bf"),
    /** Each edit alone, to convergence, before the next (FT-M and the editors LocFT compares against). */
    DEPTH_FIRST("df");

    private final String shortName;

    EditOrder(String shortName) {
        this.shortName = shortName;
    }

    public String shortName() {
        return shortName;
    }

    /** A trainer of this order over {@code modules} of {@code adapter}. */
    public EditTrainer trainer(LanguageModel model, Adapter adapter, List<String> modules, EditSettings settings) {
        return this == BREADTH_FIRST ? new BreadthFirstEditor(model, adapter, modules, settings) : new DepthFirstEditor(model, adapter, modules, settings);
    }

    /** {@code bf} / {@code breadth-first} or {@code df} / {@code depth-first}. */
    public static EditOrder parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "bf", "breadth-first", "breadth_first" -> BREADTH_FIRST;
            case "df", "depth-first", "depth_first" -> DEPTH_FIRST;
            default -> throw new IllegalArgumentException("edit order must be bf or df, got '" + text + "'");
        };
    }
}
