package io.streamvec.model;

import io.streamvec.model.vocab.StreamingVocabulary;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The words the encoder reads for the current target. Next-word model: the previous P = L words.
 * cbow: L words on each side of a centre word L tokens back. Shapes: P context positions (L, or 2L
 * for cbow); the window keeps the last P ids (2L + 1 for cbow: the centre too), oldest first, and
 * the stream starts as if after a sentence end.
 */
final class ContextWindow {
  private final int sideWords; // L (cbow)
  private final int[] history; // the last ids, oldest first
  private final int[] context; // (P) what the encoder reads, nearest first (cbow: left, then right)

  ContextWindow(ModelConfig config) {
    int positions = config.contextPositions();
    boolean cbow = config.encoder == ModelConfig.Encoder.CBOW;
    this.sideWords = config.context;
    this.history = new int[cbow ? positions + 1 : positions];
    this.context = new int[positions];
    Arrays.fill(history, StreamingVocabulary.EOS);
  }

  /** Next-word model: context = x_{t-1}, x_{t-2}, ..., x_{t-P} for the coming target x_t. */
  int[] before() {
    int p = history.length;
    for (int i = 0; i < p; i++) context[i] = history[p - 1 - i];
    return context;
  }

  /** x_t becomes the newest word of the window. */
  void push(int id) {
    System.arraycopy(history, 1, history, 0, history.length - 1);
    history[history.length - 1] = id;
  }

  /**
   * cbow: appends x_t and returns the centre x_{t-L}, with context = its L left words (nearest
   * first) then its L right words; -1 while the centre is still the padding before the stream
   * (tokensSeen &lt;= L).
   */
  int pushCentred(int id, long tokensSeen) {
    push(id);
    int l = sideWords;
    if (tokensSeen <= l) return -1;
    for (int i = 0; i < l; i++) {
      context[i] = history[l - 1 - i];
      context[l + i] = history[l + 1 + i];
    }
    return history[l];
  }

  /** The context of the last target ({@link #before} or {@link #pushCentred}). */
  int[] context() {
    return context;
  }

  /** A slot got another word: references to its old word become &lt;unk&gt;. */
  void forget(int slot) {
    for (int i = 0; i < history.length; i++)
      if (history[i] == slot) history[i] = StreamingVocabulary.UNK;
  }

  void write(DataOutputStream out) throws IOException {
    out.writeInt(history.length);
    for (int id : history) out.writeInt(id);
  }

  void read(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length != history.length)
      throw new IOException("learner state history length " + length + " does not fit its config");
    for (int i = 0; i < length; i++) history[i] = in.readInt();
  }
}
