package io.streamvec.model;

import io.streamvec.model.nn.AliasTable;
import io.streamvec.model.nn.Rng;
import io.streamvec.model.vocab.StreamingVocabulary;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.function.IntToDoubleFunction;

/**
 * The negative-sampling noise distribution q(w) ~ count(w)^power over the words in use, rebuilt
 * from the vocabulary's decayed counts as the stream evolves (often at first, then every
 * noise-refresh tokens), and the logit correction c(w) = log q(w) - log keep(w): negative sampling
 * learns s(w) ~ log p'(w|h) - log(k q(w)), where p' is the subsampled target distribution (p'(w) ~
 * p(w) keep(w)), so softmax(s + c) estimates p(w|h). Prequential scores and snapshots use it.
 *
 * <p>Shapes: V vocabulary capacity. A word admitted since the last rebuild is not in the table yet;
 * its correction is that of a word seen min-count times.
 */
final class NoiseModel {
  private final ModelConfig config;
  private final AliasTable table = new AliasTable();
  private final float[] weights; // (V) count^power at the last rebuild
  private final float[] logitCorrection; // (V) c(w)
  private int size; // words covered by the table
  private double sum; // sum of weights at the last rebuild
  private long builtAt; // tokens seen at the last rebuild

  NoiseModel(ModelConfig config) {
    this.config = config;
    this.weights = new float[config.vocabSize];
    this.logitCorrection = new float[config.vocabSize];
  }

  /** Whether the table should be rebuilt after tokens tokens: often at first, then rarely. */
  boolean due(long tokens) {
    long interval = Math.min(config.noiseRefresh, Math.max(64, tokens / 2));
    return size == 0 || tokens - builtAt >= interval;
  }

  /**
   * q from the counts of the first v words; c(w) with keep(w) = keepProbability(w). The table
   * samples in proportion to the weights (Walker alias).
   */
  void rebuild(StreamingVocabulary vocab, int v, long tokens, IntToDoubleFunction keepProbability) {
    double total = 0;
    for (int i = 0; i < v; i++) {
      // count^power as exp(power log count): StrictMath's pow allocates on JDK 17 (its Java
      // port), log and exp do not; either is the same on every JVM
      weights[i] = (float) StrictMath.exp(config.noisePower * StrictMath.log(vocab.count(i)));
      total += weights[i];
    }
    sum = total;
    for (int i = 0; i < v; i++) {
      logitCorrection[i] =
          weights[i] > 0
              ? (float)
                  (StrictMath.log(weights[i] / total)
                      - StrictMath.log(keepProbability.applyAsDouble(i)))
              : -30f;
    }
    size = v;
    builtAt = tokens;
    table.build(weights, v);
  }

  /** c(w) of a word admitted since the last rebuild (seen min-count times, not subsampled). */
  float newWordCorrection() {
    return sum > 0
        ? (float) (config.noisePower * StrictMath.log(config.minCount) - StrictMath.log(sum))
        : 0f;
  }

  /** Gives a slot that got a new word the correction of a new word. */
  void resetCorrection(int row) {
    logitCorrection[row] = newWordCorrection();
  }

  /** A draw w ~ q, or -1 while the table is empty. */
  int sample(Rng rng) {
    return table.size() == 0 ? -1 : table.sample(rng);
  }

  /** The alias table over the first {@link #size()} weights. */
  AliasTable table() {
    return table;
  }

  /** c (V): added to NS scores they are softmax logits. */
  float[] logitCorrection() {
    return logitCorrection;
  }

  /** count^power (V) at the last rebuild; the first {@link #size()} are in the table. */
  float[] weights() {
    return weights;
  }

  double sum() {
    return sum;
  }

  int size() {
    return size;
  }

  /**
   * The checkpoint part: size, rebuild time, sum, then the weights and corrections in the table.
   */
  void write(DataOutputStream out) throws IOException {
    out.writeInt(size);
    out.writeLong(builtAt);
    out.writeDouble(sum);
    LearnerState.writeFloats(out, weights, size);
    LearnerState.writeFloats(out, logitCorrection, size);
  }

  /** Reads what {@link #write} wrote; words in use beyond the table get the new-word correction. */
  void read(DataInputStream in, int wordsInUse) throws IOException {
    size = in.readInt();
    builtAt = in.readLong();
    sum = in.readDouble();
    if (size < 0 || size > weights.length)
      throw new IOException("corrupt learner state: noise table of " + size);
    LearnerState.readFloats(in, weights, size);
    LearnerState.readFloats(in, logitCorrection, size);
    for (int r = size; r < wordsInUse; r++) logitCorrection[r] = newWordCorrection();
    if (size > 0) table.build(weights, size);
  }
}
