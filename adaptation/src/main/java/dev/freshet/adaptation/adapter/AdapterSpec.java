package dev.freshet.adaptation.adapter;

import dev.freshet.adaptation.model.ParamSpec;

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
        String module = projection.module();
        return targets().stream().anyMatch(t -> module.equals(t) || module.endsWith("." + t));
    }

    /**
     * LoRA (Hu et al. 2022): ΔW = B·A · α/r with A [r, in] random and B [out, r] zero, so a new adapter
     * starts as the base model.
     */
    record Lora(int rank, float alpha, List<String> targets) implements AdapterSpec {
        public Lora {
            if (rank <= 0) {
                throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
            }
            targets = List.copyOf(requireTargets(targets));
        }

        @Override
        public String kind() {
            return "lora";
        }

        public float scale() {
            return alpha / rank;
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

    /** Parses {@code lora:r=8,alpha=16,targets=c_attn+mlp.c_proj} or {@code delta:targets=h.3.mlp.c_proj}. */
    static AdapterSpec parse(String text) {
        String[] kindAndArgs = text.split(":", 2);
        String kind = kindAndArgs[0].trim().toLowerCase(Locale.ROOT);
        int rank = 8;
        float alpha = 16f;
        List<String> targets = List.of();
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
                    default -> throw new IllegalArgumentException("adapter spec '" + text + "': unknown key " + p[0]);
                }
            }
        }
        return switch (kind) {
            case "lora" -> new Lora(rank, alpha, targets);
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
