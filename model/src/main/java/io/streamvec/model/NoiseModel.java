package io.streamvec.model;

import io.streamvec.model.nn.AliasTable;
import io.streamvec.model.nn.BulkLogs;
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
  private final double[] scratch; // (V) a rebuild's counts, then powers, then logs of shares
  private int size; // words covered by the table
  private double sum; // sum of weights at the last rebuild
  private long builtAt; // tokens seen at the last rebuild

  NoiseModel(ModelConfig config) {
    this.config = config;
    this.weights = new float[config.vocabSize];
    this.logitCorrection = new float[config.vocabSize];
    this.scratch = new double[config.vocabSize];
  }

  /** Whether the table should be rebuilt after tokens tokens: often at first, then rarely. */
  boolean due(long tokens) {
    long interval = Math.min(config.noiseRefresh, Math.max(64, tokens / 2));
    return size == 0 || tokens - builtAt >= interval;
  }

  /**
   * q from the counts of the first v words; c(w) with keep(w) = keepProbability(w). The table
   * samples in proportion to the weights (Walker alias).
   *
   * <p>The values are defined by StrictMath (the same on every JVM): weight = (float) exp(power log
   * count), c = (float) (log(weight / sum) - log keep). They are computed with the JVM's faster
   * Math.exp/Math.log (the logs of the shares in bulk: {@link BulkLogs}, 8 at a time on the Vector
   * API where the JVM has it, with the same 1-ulp accuracy) and kept only where that provably
   * rounds to the same float (see {@link #roundsLike}); elsewhere StrictMath computes them. The
   * fast path skips log keep where keep is 1: log(1) is +0 and x - +0 is x.
   */
  void rebuild(StreamingVocabulary vocab, int v, long tokens, IntToDoubleFunction keepProbability) {
    double power = config.noisePower;
    double[] x = scratch;
    vocab.counts(x, v);
    if (power == 0.75) {
      // count^(3/4) as sqrt(count sqrt(count)) for every word first: a loop the JIT vectorises
      for (int i = 0; i < v; i++) x[i] = Math.sqrt(x[i] * Math.sqrt(x[i]));
      for (int i = 0; i < v; i++) weights[i] = checkedWeight(power, x[i], vocab, i);
    } else {
      for (int i = 0; i < v; i++) weights[i] = weight(power, x[i]);
    }
    double total = 0;
    for (int i = 0; i < v; i++) total += weights[i];
    sum = total;
    BulkLogs.logOfQuotients(weights, total, x, v); // x[i] = log(share of i), within 1 ulp
    for (int i = 0; i < v; i++) {
      logitCorrection[i] =
          weights[i] > 0
              ? correction(x[i], weights[i], total, keepProbability.applyAsDouble(i))
              : -30f;
    }
    size = v;
    builtAt = tokens;
    table.build(weights, v);
  }

  /** {@link #weight} for power 3/4 given its fast value sqrt(count sqrt(count)). */
  private static float checkedWeight(double power, double fast, StreamingVocabulary vocab, int i) {
    float w = (float) fast;
    if (roundsLike(w, fast, Math.abs(fast) * 0x1p-34)) return w;
    return strictWeight(power, vocab.count(i));
  }

  /**
   * StrictMath's log and exp are within 1 ulp of the exact result, so their count^power is within
   * (3 power |log count| + 2) 2^-52 of it: below 2^-39 relative for any double count and power <=
   * 2. Math.log and Math.exp are within 1 ulp too (their specification), so the fast value is as
   * close, and the slack {@link #roundsLike} allows, 2^-34, is 32 times that bound.
   */
  static float weight(double power, double count) {
    // the default power 3/4 as sqrt(count sqrt(count)): three correctly rounded steps, within
    // 2^-52 of the exact value, and several times cheaper than exp and log
    double fast =
        power == 0.75 ? Math.sqrt(count * Math.sqrt(count)) : Math.exp(power * Math.log(count));
    float w = (float) fast;
    if (roundsLike(w, fast, Math.abs(fast) * 0x1p-34)) return w;
    return strictWeight(power, count);
  }

  private static float strictWeight(double power, double count) {
    // count^power as exp(power log count): StrictMath's pow allocates on JDK 17 (its Java port),
    // log and exp do not; either is the same on every JVM
    return (float) StrictMath.exp(power * StrictMath.log(count));
  }

  /**
   * (float) (log(share) - log(keep)) as StrictMath gives it. Each Math.log is within 2 ulps of
   * StrictMath's and the difference rounds once more: the fast value is within (|log share| + |log
   * keep|) 2^-50 of the StrictMath one, 64 times less than the slack allowed.
   */
  static float correction(double share, double keep) {
    return correction(Math.log(share), share, 1.0, keep);
  }

  /**
   * {@link #correction(double, double)} of share = weight / total, given a, log(share) within 1 ulp
   * (from Math.log or the Vector API's LOG: both promise that).
   */
  static float correction(double a, double weight, double total, double keep) {
    double b = keep == 1.0 ? 0 : Math.log(keep); // log(1) is +0 on both paths: skip the call
    double fast = a - b;
    float c = (float) fast;
    if (roundsLike(c, fast, (Math.abs(a) + Math.abs(b)) * 0x1p-44)) return c;
    return (float) (StrictMath.log(weight / total) - StrictMath.log(keep));
  }

  /**
   * True if every double within slack of x rounds to f. Rounding to float is monotonic, so the two
   * ends decide; compared as bits so that -0f and 0f differ. NaN or infinite slack: false.
   */
  static boolean roundsLike(float f, double x, double slack) {
    int bits = Float.floatToRawIntBits(f);
    return Float.floatToRawIntBits((float) (x - slack)) == bits
        && Float.floatToRawIntBits((float) (x + slack)) == bits
        && !Float.isNaN(f);
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
