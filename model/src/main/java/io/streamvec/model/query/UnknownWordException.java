package io.streamvec.model.query;

/** A query named a word the model does not know (the HTTP layer answers 404). */
public final class UnknownWordException extends RuntimeException {
  private final String word;

  public UnknownWordException(String word) {
    super("unknown word '" + word + "': not in the model's vocabulary");
    this.word = word;
  }

  public String word() {
    return word;
  }
}
