package dev.freshet.adaptation.world;

import java.util.List;

/**
 * One stream document, in the shape of the {@code freshet.documents} topic value ({@code id, text, source, ts}),
 * plus the held-out questions whose answers the text states.
 */
public record WorldDocument(String id, String text, String source, long ts, List<QaPair> questions) {
  public WorldDocument {
    questions = List.copyOf(questions);
  }
}
