package dev.freshet.adaptation.adapter;

import dev.freshet.adaptation.model.ParamSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an adapter adapts and how: low-rank updates of some projections, or dense deltas of a few named
 * ones (the "localized" parameters of LocFT).
 *
 * <p>Target modules match a projection when they equal its name or are a dot-separated suffix of it, as
 * in PEFT: {@code c_attn} targets every layer's attention projection, {@code h.3.mlp.c_proj} one module.
 */
public sealed interface AdapterSpec permits AdapterSpec.Lora, AdapterSpec.Delta {

    /** Short name recorded in manifests: {@code lora} or {@code delta}. */
    String kind();

    /** The target patterns. */
    List<String> targets();

    /** Whether a projection is targeted. */
    default boolean targets(ParamSpec projection) {
        return matches(targets(), projection.module());
    }

    /** Whether {@code module} equals one of {@code patterns} or ends with one after a dot, as PEFT matches targets. */
    static boolean matches(List<String> patterns, String module) {
        return patterns.stream().anyMatch(t -> module.equals(t) || module.endsWith("." + t));
    }

    /**
     * LoRA (Hu et al. 2022): ΔW = B·A · α/r with A [r, in] random and B [out, r] zero, so a new adapter
     * starts as the base model.
     *
     * @param dense patterns of targeted modules that carry a dense delta instead of a LoRA pair: where edits
     *     train (LocFT-BF's delta is a dense matrix), while documents train the LoRA pairs; empty: LoRA everywhere
     */
    record Lora(int rank, float alpha, List<String> targets, List<String> dense) implements AdapterSpec {
        public Lora {
            if (rank <= 0) {
                throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
            }
            targets = List.copyOf(requireTargets(targets));
            dense = List.copyOf(dense);
        }

        /** LoRA on every targeted module. */
        public Lora(int rank, float alpha, List<String> targets) {
            this(rank, alpha, targets, List.of());
        }

        @Override
        public String kind() {
            return "lora";
        }

        public float scale() {
            return alpha / rank;
        }

        /** Whether a targeted projection carries a dense delta rather than a LoRA pair. */
        public boolean isDense(ParamSpec projection) {
            return matches(dense, projection.module());
        }

        /** The same spec with a dense delta at {@code module} too (a no-op when it already has one). */
        public Lora withDense(String module) {
            if (matches(dense, module)) {
                return this;
            }
            List<String> d = new ArrayList<>(dense);
            d.add(module);
            return new Lora(rank, alpha, targets, d);
        }
    }

    /** Dense deltas on whole projection matrices, same shape as the base weight, starting at zero. */
    record Delta(List<String> targets) implements AdapterSpec {
        public Delta {
            targets = List.copyOf(requireTargets(targets));
        }

        @Override
        public String kind() {
            return "delta";
        }
    }

    /**
     * Parses {@code lora:r=8,alpha=16,targets=c_attn+mlp.c_proj} (optionally {@code ,dense=h.3.mlp.c_proj}) or
     * {@code delta:targets=h.3.mlp.c_proj}.
     */
    static AdapterSpec parse(String text) {
        String[] kindAndArgs = text.split(":", 2);
        String kind = kindAndArgs[0].trim().toLowerCase(Locale.ROOT);
        int rank = 8;
        float alpha = 16f;
        List<String> targets = List.of();
        List<String> dense = List.of();
        if (kindAndArgs.length > 1) {
            for (String kv : kindAndArgs[1].split(",")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException("adapter spec '" + text + "': expected key=value, got '" + kv + "'");
                }
                switch (p[0].trim()) {
                    case "r", "rank" -> rank = Integer.parseInt(p[1].trim());
                    case "alpha" -> alpha = Float.parseFloat(p[1].trim());
                    case "targets" -> targets = List.of(p[1].trim().split("\\+"));
                    case "dense" -> dense = List.of(p[1].trim().split("\\+"));
                    default -> throw new IllegalArgumentException("adapter spec '" + text + "': unknown key " + p[0]);
                }
            }
        }
        return switch (kind) {
            case "lora" -> new Lora(rank, alpha, targets, dense);
            case "delta" -> new Delta(targets);
            default -> throw new IllegalArgumentException("adapter kind must be lora or delta, got '" + kind + "'");
        };
    }

    private static List<String> requireTargets(List<String> targets) {
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("an adapter needs at least one target module");
        }
        return targets;
    }
}
