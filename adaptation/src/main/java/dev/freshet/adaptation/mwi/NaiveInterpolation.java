package dev.freshet.adaptation.mwi;

/**
 * The naive reference of the MWI update in plain Java, for tests: element by element, in double
 * precision, {@code slow[i] ← τ·slow[i] + (1 − τ)·fast[i]} (arXiv 2211.03186, the MWI update).
 */
public final class NaiveInterpolation {

    private NaiveInterpolation() {}

    /** Updates {@code slow} in place. */
    public static void interpolate(float[] slow, float[] fast, double tau) {
        if (slow.length != fast.length) {
            throw new IllegalArgumentException("slow and fast differ in length: " + slow.length + " vs " + fast.length);
        }
        for (int i = 0; i < slow.length; i++) {
            slow[i] = (float) (tau * slow[i] + (1 - tau) * fast[i]);
        }
    }
}
