package io.streamvec.app.topology;

/**
 * What the validator hands on, inside one task (never serialized): a token line to learn from, or
 * the original value bytes of a dead letter (its reason travels in the record headers).
 */
public record Checked(String line, byte[] deadValue) {
  static Checked line(String tokens) {
    return new Checked(tokens, null);
  }

  static Checked dead(byte[] original) {
    return new Checked(null, original);
  }

  public boolean isDeadLetter() {
    return line == null;
  }
}
