package io.streamvec.model.eval;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Prequential ("test, then train") scores of next-word prediction: each scored token is predicted
 * with the exact softmax before the model learns from it. Cumulative since the start and over a
 * window of the last W scored tokens. Cross-entropy is in bits per token; perplexity = 2^bits.
 * Tokens whose target is &lt;unk&gt; are scored too (closed-vocabulary LM).
 *
 * <p>Top-k with ties: a target whose score equals that of other words gets the expected hit of a
 * uniformly random tie-break, {@link #hitFraction}: with b words strictly higher and t others
 * equal, the target's rank is b+1 .. b+t+1 with equal odds, so top-k counts min(1, max(0, (k - b) /
 * (t + 1))). A model that cannot tell words apart (all scores equal, e.g. untrained) so gets k/V,
 * not 1.
 */
public final class PrequentialMeter {
  private final int window;
  private final float[] windowBits; // (W) ring of per-token bits
  private final float[] windowTop1, windowTop5; // (W) ring of per-token hit fractions
  private int head, filled;
  private double windowSumBits, windowSumTop1, windowSumTop5;
  private long scored;
  private double sumBits, top1, top5;
  // the last scored token's hit fractions (for a second meter fed the same tokens)
  private double lastBits, lastTop1, lastTop5;

  public PrequentialMeter(int window) {
    this.window = window;
    this.windowBits = new float[window];
    this.windowTop1 = new float[window];
    this.windowTop5 = new float[window];
  }

  /** Expected top-k hit of a target with `better` words strictly above it and `ties` equal. */
  public static double hitFraction(int k, int better, int ties) {
    if (better >= k) return 0;
    return Math.min(1.0, (double) (k - better) / (ties + 1));
  }

  /** Scores target against log-probabilities logp[0..v) (natural log); returns its bits. */
  public double record(float[] logp, int v, int target) {
    float lt = logp[target];
    int better = 0, ties = 0;
    for (int i = 0; i < v && better < 5; i++) {
      float li = logp[i];
      if (li > lt) better++;
      else if (li == lt && i != target) ties++;
    }
    double bits = -lt / Math.log(2);
    record(bits, hitFraction(1, better, ties), hitFraction(5, better, ties));
    return bits;
  }

  /**
   * Records one scored token: its cost in bits and how many words scored strictly higher (no ties
   * known: an estimated rank).
   */
  public void record(double bits, int better) {
    record(bits, hitFraction(1, better, 0), hitFraction(5, better, 0));
  }

  /** Records one scored token: its cost in bits and its top-1 and top-5 hits (in [0, 1]). */
  public void record(double bits, double hit1, double hit5) {
    if (filled == window) {
      windowSumBits -= windowBits[head];
      windowSumTop1 -= windowTop1[head];
      windowSumTop5 -= windowTop5[head];
    } else {
      filled++;
    }
    windowBits[head] = (float) bits;
    windowTop1[head] = (float) hit1;
    windowTop5[head] = (float) hit5;
    head = (head + 1) % window;
    windowSumBits += (float) bits;
    windowSumTop1 += (float) hit1;
    windowSumTop5 += (float) hit5;
    scored++;
    sumBits += bits;
    top1 += hit1;
    top5 += hit5;
    lastBits = bits;
    lastTop1 = hit1;
    lastTop5 = hit5;
  }

  /** Bits of the last scored token. */
  public double lastBits() {
    return lastBits;
  }

  /** Top-1 hit fraction of the last scored token. */
  public double lastTop1() {
    return lastTop1;
  }

  /** Top-5 hit fraction of the last scored token. */
  public double lastTop5() {
    return lastTop5;
  }

  public long scored() {
    return scored;
  }

  public double crossEntropyBits() {
    return scored == 0 ? Double.NaN : sumBits / scored;
  }

  public double perplexity() {
    return Math.pow(2, crossEntropyBits());
  }

  public double top1() {
    return scored == 0 ? Double.NaN : top1 / scored;
  }

  public double top5() {
    return scored == 0 ? Double.NaN : top5 / scored;
  }

  public int windowSize() {
    return filled;
  }

  public double windowCrossEntropyBits() {
    return filled == 0 ? Double.NaN : windowSumBits / filled;
  }

  public double windowPerplexity() {
    return Math.pow(2, windowCrossEntropyBits());
  }

  public double windowTop1() {
    return filled == 0 ? Double.NaN : windowSumTop1 / filled;
  }

  public double windowTop5() {
    return filled == 0 ? Double.NaN : windowSumTop5 / filled;
  }

  public void write(DataOutput out) throws IOException {
    out.writeInt(window);
    out.writeInt(head);
    out.writeInt(filled);
    out.writeDouble(windowSumBits);
    out.writeDouble(windowSumTop1);
    out.writeDouble(windowSumTop5);
    out.writeLong(scored);
    out.writeDouble(top1);
    out.writeDouble(top5);
    out.writeDouble(sumBits);
    out.writeDouble(lastBits);
    out.writeDouble(lastTop1);
    out.writeDouble(lastTop5);
    for (int i = 0; i < filled; i++) {
      out.writeFloat(windowBits[i]);
      out.writeFloat(windowTop1[i]);
      out.writeFloat(windowTop5[i]);
    }
  }

  /** Reads what {@link #write} wrote. */
  public static PrequentialMeter read(DataInput in) throws IOException {
    PrequentialMeter m = readHead(in);
    m.windowSumBits = in.readDouble();
    m.windowSumTop1 = in.readDouble();
    m.windowSumTop5 = in.readDouble();
    m.scored = in.readLong();
    m.top1 = in.readDouble();
    m.top5 = in.readDouble();
    m.sumBits = in.readDouble();
    m.lastBits = in.readDouble();
    m.lastTop1 = in.readDouble();
    m.lastTop5 = in.readDouble();
    for (int i = 0; i < m.filled; i++) {
      m.windowBits[i] = in.readFloat();
      m.windowTop1[i] = in.readFloat();
      m.windowTop5[i] = in.readFloat();
    }
    return m;
  }

  /**
   * Reads the format of learner-state version 1, which counted ties as hits (one rank byte per
   * window entry: 0 = top-1, 1 = top-5 only, 2 = neither); those counts carry over as they were.
   */
  public static PrequentialMeter readVersion1(DataInput in) throws IOException {
    PrequentialMeter m = readHead(in);
    m.windowSumBits = in.readDouble();
    m.windowSumTop1 = in.readInt();
    m.windowSumTop5 = in.readInt();
    m.scored = in.readLong();
    m.top1 = in.readLong();
    m.top5 = in.readLong();
    m.sumBits = in.readDouble();
    for (int i = 0; i < m.filled; i++) {
      m.windowBits[i] = in.readFloat();
      byte rank = in.readByte();
      m.windowTop1[i] = rank == 0 ? 1f : 0f;
      m.windowTop5[i] = rank <= 1 ? 1f : 0f;
    }
    return m;
  }

  private static PrequentialMeter readHead(DataInput in) throws IOException {
    int w = in.readInt();
    if (w <= 0 || w > 10_000_000) throw new IOException("corrupt prequential meter: window " + w);
    PrequentialMeter m = new PrequentialMeter(w);
    m.head = in.readInt();
    m.filled = in.readInt();
    if (m.head < 0 || m.head >= w || m.filled < 0 || m.filled > w)
      throw new IOException("corrupt prequential meter state");
    return m;
  }
}
