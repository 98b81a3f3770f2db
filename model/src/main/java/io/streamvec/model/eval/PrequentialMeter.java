package io.streamvec.model.eval;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Prequential ("test, then train") scores of next-word prediction: each scored token is predicted
 * with the exact softmax before the model learns from it. Cumulative since the start and over a
 * window of the last W scored tokens. Cross-entropy is in bits per token; perplexity = 2^bits.
 * Tokens whose target is &lt;unk&gt; are scored too (closed-vocabulary LM).
 */
public final class PrequentialMeter {
  private final int window;
  private final float[] windowBits; // (W) ring of per-token bits
  private final byte[] windowRank; // (W) 0 = top-1, 1 = top-5 only, 2 = neither
  private int head, filled;
  private double windowSumBits;
  private int windowTop1, windowTop5;
  private long scored, top1, top5;
  private double sumBits;

  public PrequentialMeter(int window) {
    this.window = window;
    this.windowBits = new float[window];
    this.windowRank = new byte[window];
  }

  /** Scores target against log-probabilities logp[0..v) (natural log). */
  public void record(float[] logp, int v, int target) {
    float lt = logp[target];
    int better = 0;
    for (int i = 0; i < v && better < 5; i++) if (logp[i] > lt) better++;
    record(-lt / Math.log(2), better);
  }

  /** Records one scored token: its cost in bits and how many words scored strictly higher. */
  public void record(double bits, int better) {
    byte rank = (byte) (better == 0 ? 0 : better < 5 ? 1 : 2);
    if (filled == window) {
      windowSumBits -= windowBits[head];
      if (windowRank[head] == 0) windowTop1--;
      if (windowRank[head] <= 1) windowTop5--;
    } else {
      filled++;
    }
    windowBits[head] = (float) bits;
    windowRank[head] = rank;
    head = (head + 1) % window;
    windowSumBits += (float) bits;
    if (rank == 0) windowTop1++;
    if (rank <= 1) windowTop5++;
    scored++;
    sumBits += bits;
    if (rank == 0) top1++;
    if (rank <= 1) top5++;
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
    return scored == 0 ? Double.NaN : (double) top1 / scored;
  }

  public double top5() {
    return scored == 0 ? Double.NaN : (double) top5 / scored;
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
    return filled == 0 ? Double.NaN : (double) windowTop1 / filled;
  }

  public double windowTop5() {
    return filled == 0 ? Double.NaN : (double) windowTop5 / filled;
  }

  public void write(DataOutput out) throws IOException {
    out.writeInt(window);
    out.writeInt(head);
    out.writeInt(filled);
    out.writeDouble(windowSumBits);
    out.writeInt(windowTop1);
    out.writeInt(windowTop5);
    out.writeLong(scored);
    out.writeLong(top1);
    out.writeLong(top5);
    out.writeDouble(sumBits);
    for (int i = 0; i < filled; i++) {
      out.writeFloat(windowBits[i]);
      out.writeByte(windowRank[i]);
    }
  }

  public static PrequentialMeter read(DataInput in) throws IOException {
    int w = in.readInt();
    if (w <= 0 || w > 10_000_000) throw new IOException("corrupt prequential meter: window " + w);
    PrequentialMeter m = new PrequentialMeter(w);
    m.head = in.readInt();
    m.filled = in.readInt();
    if (m.head < 0 || m.head >= w || m.filled < 0 || m.filled > w)
      throw new IOException("corrupt prequential meter state");
    m.windowSumBits = in.readDouble();
    m.windowTop1 = in.readInt();
    m.windowTop5 = in.readInt();
    m.scored = in.readLong();
    m.top1 = in.readLong();
    m.top5 = in.readLong();
    m.sumBits = in.readDouble();
    for (int i = 0; i < m.filled; i++) {
      m.windowBits[i] = in.readFloat();
      m.windowRank[i] = in.readByte();
    }
    return m;
  }
}
