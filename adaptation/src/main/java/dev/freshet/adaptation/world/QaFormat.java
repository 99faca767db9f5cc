package dev.freshet.adaptation.world;

/**
 * The single question-answer format used in pretraining, documents, edits and evaluation. Keeping it in one
 * place matters: a model trained on one layout and probed with another measures the layout, not the fact.
 */
public final class QaFormat {
  private QaFormat() {}

  /** {@code "Q: " + question + "\nA:"}; the model continues with {@link #target}. */
  public static String prompt(String question) {
    return "Q: " + question + "\nA:";
  }

  /** {@code " " + answer + "\n"}: the leading space and the newline that ends the answer. */
  public static String target(String answer) {
    return " " + answer + "\n";
  }

  /** A whole training text: prompt followed by target. */
  public static String text(QaPair qa) {
    return prompt(qa.question()) + target(qa.answer());
  }
}
