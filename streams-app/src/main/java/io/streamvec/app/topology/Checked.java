package io.streamvec.app.topology;

/**
 * What the validator hands on, inside one task (never serialized): a token line and the model it
 * trains, or the original value bytes of a dead letter (its reason travels in the record headers).
 */
public record Checked(TokenLine line, String model, byte[] deadValue) {
  static Checked line(String[] tokens, String model) {
    return new Checked(new TokenLine(tokens), model, null);
  }

  static Checked dead(byte[] original) {
    return new Checked(null, null, original);
  }

  public boolean isDeadLetter() {
    return line == null;
  }
}
