package io.streamvec.model.eval;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Prequential scores of the recent stream, with a fading factor defined in tokens (Gama, Sebastiao,
 * Rodrigues 2013): an observation made a tokens ago weighs alpha^a, alpha = 2^(-1/halfLife), so an
 * estimate is sum(alpha^a w x) / sum(alpha^a w) and needs O(1) memory whatever the horizon.
 *
 * <p>Two signals feed it. The <em>exact</em> sample (tokens scored with the full softmax) gives
 * cross-entropy and top-1/top-5; it is sparse (1 token in thousands at large V*H), so on its own it
 * is imprecise at short horizons. The <em>cheap</em> signal is an unnormalised estimate of -log2
 * p(target) on (nearly) every token, e.g. the noise-corrected negative-sampling score; it is biased
 * by the unknown log-partition, so the meter learns that bias as the fading mean of exact - cheap
 * over the exact sample (the calibration offset) and reports cheap mean + offset as the recent
 * cross-entropy. With the exact softmax on every token both signals coincide and the offset is 0.
 *
 * <p>Time is the caller's token counter; the sums are decayed lazily to the token of their last
 * update, and a reading decays nothing (a ratio of two sums decayed alike is unchanged).
 */
public final class RecentMeter {
  private double halfLife;
  private double alpha; // per-token fading factor
  // alpha^a for the short gaps between updates (a subsampled token skips one): Math.pow's own
  // values, computed once instead of per token
  private final double[] fades = new double[64];

  // cheap signal: sum(alpha^a w bits), sum(alpha^a w) as of token cheapAt
  private double cheapBits, cheapWeight;
  private long cheapAt;
  // exact sample as of token exactAt: sum(alpha^a w x) for x = bits, top-1, top-5, exact - cheap,
  // sum(alpha^a w), and sum(alpha^a) (the sample size)
  private double exactBits, exactTop1, exactTop5, offsetBits, exactWeight, exactCount;
  private long exactAt;

  public RecentMeter(double halfLifeTokens) {
    setHalfLife(halfLifeTokens);
  }

  /** From now on observations fade with this half-life (in tokens); the sums are kept. */
  public void setHalfLife(double halfLifeTokens) {
    if (!(halfLifeTokens >= 1) || Double.isInfinite(halfLifeTokens))
      throw new IllegalArgumentException(
          "recent-metrics half-life must be a finite number of tokens >= 1, not " + halfLifeTokens);
    halfLife = halfLifeTokens;
    alpha = Math.pow(2, -1 / halfLifeTokens);
    for (int a = 0; a < fades.length; a++) fades[a] = Math.pow(alpha, a);
  }

  public double halfLife() {
    return halfLife;
  }

  private double fade(long from, long to) {
    long a = to - from;
    if (a == 0) return 1;
    if (a == 1) return alpha;
    return a < fades.length ? fades[(int) a] : Math.pow(alpha, a);
  }

  /** The cheap signal at token t: an estimate of -log2 p(target) with weight w (e.g. 1/keep). */
  public void recordCheap(long t, double bits, double weight) {
    double f = fade(cheapAt, t);
    cheapBits = cheapBits * f + weight * bits;
    cheapWeight = cheapWeight * f + weight;
    cheapAt = t;
  }

  /**
   * An exactly scored token at t: its cost in bits, its top-1 and top-5 hit (fractions in [0, 1]
   * for ties), the cheap signal's value for the same token (calibration), and its weight: the
   * tokens it stands for (the inverse of the rate at which tokens are scored exactly, which falls
   * as the vocabulary grows; unweighted, the dense early sample would dominate the horizon).
   */
  public void recordExact(
      long t, double bits, double top1, double top5, double cheapBits, double weight) {
    double f = fade(exactAt, t);
    exactBits = exactBits * f + weight * bits;
    exactTop1 = exactTop1 * f + weight * top1;
    exactTop5 = exactTop5 * f + weight * top5;
    offsetBits = offsetBits * f + weight * (bits - cheapBits);
    exactWeight = exactWeight * f + weight;
    exactCount = exactCount * f + 1;
    exactAt = t;
  }

  /** Recent cross-entropy (bits/token): calibrated cheap signal, else the exact sample. */
  public double crossEntropyBits() {
    if (cheapWeight == 0 || exactWeight == 0) return exactCrossEntropyBits();
    return cheapBits / cheapWeight + calibrationBits();
  }

  public double perplexity() {
    return Math.pow(2, crossEntropyBits());
  }

  /** Recent cross-entropy of the exact sample alone. */
  public double exactCrossEntropyBits() {
    return exactWeight == 0 ? Double.NaN : exactBits / exactWeight;
  }

  /** Fading mean of exact - cheap bits over the exact sample: what the cheap signal misses. */
  public double calibrationBits() {
    return exactWeight == 0 ? Double.NaN : offsetBits / exactWeight;
  }

  public double top1() {
    return exactWeight == 0 ? Double.NaN : exactTop1 / exactWeight;
  }

  public double top5() {
    return exactWeight == 0 ? Double.NaN : exactTop5 / exactWeight;
  }

  /**
   * Exactly scored tokens in the horizon as of token t: sum(alpha^a), the effective sample size.
   */
  public double exactSampleSize(long t) {
    return exactCount * fade(exactAt, Math.max(t, exactAt));
  }

  public void write(DataOutput out) throws IOException {
    out.writeDouble(halfLife);
    out.writeDouble(cheapBits);
    out.writeDouble(cheapWeight);
    out.writeLong(cheapAt);
    out.writeDouble(exactBits);
    out.writeDouble(exactTop1);
    out.writeDouble(exactTop5);
    out.writeDouble(offsetBits);
    out.writeDouble(exactWeight);
    out.writeDouble(exactCount);
    out.writeLong(exactAt);
  }

  public static RecentMeter read(DataInput in) throws IOException {
    double h = in.readDouble();
    if (!(h >= 1) || Double.isInfinite(h))
      throw new IOException("corrupt recent meter: half-life " + h);
    RecentMeter m = new RecentMeter(h);
    m.cheapBits = in.readDouble();
    m.cheapWeight = in.readDouble();
    m.cheapAt = in.readLong();
    m.exactBits = in.readDouble();
    m.exactTop1 = in.readDouble();
    m.exactTop5 = in.readDouble();
    m.offsetBits = in.readDouble();
    m.exactWeight = in.readDouble();
    m.exactCount = in.readDouble();
    m.exactAt = in.readLong();
    return m;
  }
}
