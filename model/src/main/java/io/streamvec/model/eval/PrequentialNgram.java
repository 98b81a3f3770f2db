package io.streamvec.model.eval;

import io.streamvec.model.lm.BitsLog;
import io.streamvec.model.lm.BoundedKneserNey;

/**
 * A reference for the learner's prequential perplexity: the interpolated Kneser-Ney n-gram model of
 * {@link BoundedKneserNey} (order N, default 3; one discount per order, estimated online as D = n1
 * / (n1 + 2 n2) from the current counts-of-counts) without its bound (no capacity reached, no
 * decay), run on the same stream of word ids and scored on exactly the tokens the learner's meter
 * scores (score, then count), normalised over the same current v words (closed vocabulary:
 * &lt;unk&gt; and &lt;/s&gt; are words like the others). Memory grows with the number of distinct
 * n-grams (~50-100 bytes each), which is why the long-running app uses the bounded one.
 *
 * <p>Slot reuse is handled as in {@link BoundedKneserNey}: an evicted word's counts as a target
 * leave, the contexts holding it are never reached again.
 */
public final class PrequentialNgram implements StreamObserver {
  /** So large that it is never reached: the model is the plain interpolated Kneser-Ney. */
  private static final int UNBOUNDED = Integer.MAX_VALUE / 2;

  private final BoundedKneserNey model;
  private final float[] windowBits; // (W) ring of the last W scored tokens' bits
  private int head, filled;
  private double windowSum, sumBits, sumSqBits;
  private long scored, counted;
  private BitsLog log; // optional: every scored token's bits, for paired comparisons

  public PrequentialNgram(int order, int window) {
    if (order < 1 || order > BoundedKneserNey.MAX_ORDER)
      throw new IllegalArgumentException(
          "n-gram order must be in [1, " + BoundedKneserNey.MAX_ORDER + "], got " + order);
    if (window < 1) throw new IllegalArgumentException("window must be >= 1, got " + window);
    this.model = new BoundedKneserNey(order, UNBOUNDED, Double.POSITIVE_INFINITY);
    this.windowBits = new float[window];
  }

  public int order() {
    return model.order();
  }

  /** Appends each scored token's bits to log from now on (null: stop). */
  public void logBits(BitsLog log) {
    this.log = log;
  }

  @Override
  public void slotAssigned(int slot, boolean reused) {
    model.slotAssigned(slot, reused);
  }

  @Override
  public void token(int target, int v, boolean scored) {
    if (scored) record(-Math.log(model.probability(target, v)) / Math.log(2));
    model.count(target);
    counted++;
  }

  /** p(w | the current history) over v words (for tests: it sums to 1 over w in [0, v)). */
  public double probability(int w, int v) {
    return model.probability(w, v);
  }

  double discount(int k) {
    return model.discount(k);
  }

  private void record(double bits) {
    if (filled == windowBits.length) windowSum -= windowBits[head];
    else filled++;
    windowBits[head] = (float) bits;
    windowSum += (float) bits;
    head = (head + 1) % windowBits.length;
    scored++;
    sumBits += bits;
    sumSqBits += bits * bits;
    if (log != null) log.add(bits);
  }

  /** Tokens scored (the learner's scored tokens since this baseline was attached). */
  public long scored() {
    return scored;
  }

  /** Tokens counted. */
  public long counted() {
    return counted;
  }

  /**
   * Distinct n-grams of all orders stored (removed ones included; contexts are about a third more).
   */
  public long storedNgrams() {
    return model.storedNgrams();
  }

  public double crossEntropyBits() {
    return scored == 0 ? Double.NaN : sumBits / scored;
  }

  public double perplexity() {
    return Math.pow(2, crossEntropyBits());
  }

  /** Ends of the 95% interval of the perplexity: 2^(mean bits -+ 1.96 standard error). */
  public double perplexityBound(int sign) {
    if (scored < 2) return Double.NaN;
    double mean = sumBits / scored;
    double var = Math.max(0, (sumSqBits - scored * mean * mean) / (scored - 1));
    return Math.pow(2, mean + sign * 1.959964 * Math.sqrt(var / scored));
  }

  public double windowCrossEntropyBits() {
    return filled == 0 ? Double.NaN : windowSum / filled;
  }

  public double windowPerplexity() {
    return Math.pow(2, windowCrossEntropyBits());
  }
}
