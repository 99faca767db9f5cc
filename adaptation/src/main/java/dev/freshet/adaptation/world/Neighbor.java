package dev.freshet.adaptation.world;

/** An unrelated old fact next to an edit, as a {@link QaFormat#prompt} and its unchanged answer (no leading space). */
public record Neighbor(String prompt, String target) {}
