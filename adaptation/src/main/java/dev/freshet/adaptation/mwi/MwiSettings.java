package dev.freshet.adaptation.mwi;

import java.util.Locale;

/**
 * Momentum weight interpolation settings (Stojanovski, Roth, Akata, arXiv 2211.03186).
 *
 * @param tau momentum τ in [0, 1]: {@code slow ← τ·slow + (1 − τ)·fast}; 0 serves the fast weights, 1
 *     never moves the slow ones. The paper uses 0.9999.
 * @param every N, optimizer steps between interpolations (the paper uses 2 at batch 256 and scales N with
 *     the batch size so the rate per sample seen stays constant)
 * @param reset whether the fast weights are pulled back to the slow ones at window boundaries
 */
public record MwiSettings(double tau, int every, ResetPolicy reset) {

    /** The paper's τ = 0.9999, N = 2, no reset. */
    public static final MwiSettings DEFAULTS = new MwiSettings(0.9999, 2, ResetPolicy.NEVER);

    /**
     * What happens to the fast weights at a window boundary. The paper leaves it open (its successor's
     * code effectively resets once per epoch), so both are offered and measured.
     */
    public enum ResetPolicy {
        /** The fast weights keep training from where they are. */
        NEVER,
        /** At each window boundary, fast ← slow: the next window starts from what is served. */
        PER_WINDOW;

        public static ResetPolicy parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
                case "never" -> NEVER;
                case "per_window", "window", "per_version" -> PER_WINDOW; // a server's window is one version's round
                default -> throw new IllegalArgumentException("MWI reset policy must be never or per-window (per-version), got '" + text + "'");
            };
        }
    }

    public MwiSettings {
        if (!(tau >= 0 && tau <= 1)) {
            throw new IllegalArgumentException("MWI tau must be in [0, 1], got " + tau);
        }
        if (every < 1) {
            throw new IllegalArgumentException("MWI interpolation interval must be >= 1 step, got " + every);
        }
        if (reset == null) {
            throw new IllegalArgumentException("MWI reset policy is required");
        }
    }

    /**
     * Optimizer steps after which a fast-weight change has half its weight in the slow copy:
     * {@code N·ln 2 / −ln τ} (∞ for τ = 1, 0 for τ = 0). τ = 0.9999, N = 2 gives about 13,900 steps.
     */
    public double halfLifeSteps() {
        if (tau == 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (tau == 0) {
            return 0;
        }
        return every * Math.log(2) / -Math.log(tau);
    }
}
