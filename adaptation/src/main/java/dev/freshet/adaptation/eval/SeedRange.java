package dev.freshet.adaptation.eval;

/** The seeds an evaluation runs, {@code firstSeed … lastSeed}: shared by every evaluation's settings. */
interface SeedRange {

    int seeds();

    long firstSeed();

    /** The last seed run, shown in progress lines as {@code seed 3/4} when {@code --first-seed 3 --seeds 2}. */
    default long lastSeed() {
        return firstSeed() + seeds() - 1;
    }
}
