package dev.freshet.adaptation.world;

/** A question and its short answer (an entity name, a year or a vocabulary word), without {@link QaFormat}. */
public record QaPair(String question, String answer) {}
