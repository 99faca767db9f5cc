package dev.freshet.adaptation.world;

/** A (subject, relation, object) triple; relation is one of the {@link Relation} constants. */
public record Fact(String subject, String relation, String object) {}
