package io.streamvec.model.lm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Prequential costs (bits per token) of three predictors on the same scored tokens: the neural
 * model, the n-gram and their mixture. Besides the means, sums of squares give a 95% normal
 * interval for each perplexity, and the paired differences give one for the ratio of two
 * perplexities on the same tokens, which is much tighter than comparing two separate intervals.
 * Windowed means over the last W tokens for the learning curve.
 */
public final class PairedScores {
  public static final int MODEL = 0, NGRAM = 1, MIXTURE = 2;
  static final double Z95 = 1.959964;

  private final double[] sum = new double[3], sumSq = new double[3];
  private final double[] diffSum = new double[2],
      diffSq = new double[2]; // mix - ngram, mix - model
  private final float[][] window; // (3, W) rings of per-token bits
  private final double[] windowSum = new double[3];
  private int head, filled;
  private long n;

  public PairedScores(int window) {
    this.window = new float[3][window];
  }

  public void record(double model, double ngram, double mixture) {
    add(MODEL, model);
    add(NGRAM, ngram);
    add(MIXTURE, mixture);
    diffSum[0] += mixture - ngram;
    diffSq[0] += (mixture - ngram) * (mixture - ngram);
    diffSum[1] += mixture - model;
    diffSq[1] += (mixture - model) * (mixture - model);
    if (filled < window[0].length) filled++;
    head = (head + 1) % window[0].length;
    n++;
  }

  private void add(int p, double bits) {
    sum[p] += bits;
    sumSq[p] += bits * bits;
    if (filled == window[p].length) windowSum[p] -= window[p][head];
    window[p][head] = (float) bits;
    windowSum[p] += (float) bits;
  }

  public long scored() {
    return n;
  }

  public double perplexity(int p) {
    return n == 0 ? Double.NaN : Math.pow(2, sum[p] / n);
  }

  /** Ends of the 95% interval of perplexity p: 2^(mean bits -+ 1.96 standard error). */
  public double perplexityBound(int p, int sign) {
    return Math.pow(2, sum[p] / n + sign * Z95 * standardError(sum[p], sumSq[p]));
  }

  public double windowPerplexity(int p) {
    return filled == 0 ? Double.NaN : Math.pow(2, windowSum[p] / filled);
  }

  /**
   * ppl(mixture) / ppl(other) on the same tokens (other = NGRAM or MODEL) and, with sign -1 / +1,
   * the ends of its 95% interval from the paired per-token differences.
   */
  public double mixtureRatio(int other, int sign) {
    int i = other == NGRAM ? 0 : 1;
    if (n == 0) return Double.NaN;
    return Math.pow(2, diffSum[i] / n + sign * Z95 * standardError(diffSum[i], diffSq[i]));
  }

  private double standardError(double s, double sq) {
    if (n < 2) return Double.NaN;
    double mean = s / n;
    double var = Math.max(0, (sq - n * mean * mean) / (n - 1));
    return Math.sqrt(var / n);
  }

  public PairedScores copy() {
    PairedScores s = new PairedScores(window[0].length);
    for (int p = 0; p < 3; p++) System.arraycopy(window[p], 0, s.window[p], 0, window[p].length);
    System.arraycopy(sum, 0, s.sum, 0, 3);
    System.arraycopy(sumSq, 0, s.sumSq, 0, 3);
    System.arraycopy(windowSum, 0, s.windowSum, 0, 3);
    System.arraycopy(diffSum, 0, s.diffSum, 0, 2);
    System.arraycopy(diffSq, 0, s.diffSq, 0, 2);
    s.head = head;
    s.filled = filled;
    s.n = n;
    return s;
  }

  public void write(DataOutput out) throws IOException {
    out.writeInt(window[0].length);
    out.writeLong(n);
    out.writeInt(head);
    out.writeInt(filled);
    for (int p = 0; p < 3; p++) {
      out.writeDouble(sum[p]);
      out.writeDouble(sumSq[p]);
      out.writeDouble(windowSum[p]);
      for (int i = 0; i < filled; i++) out.writeFloat(window[p][i]);
    }
    for (int i = 0; i < 2; i++) {
      out.writeDouble(diffSum[i]);
      out.writeDouble(diffSq[i]);
    }
  }

  public static PairedScores read(DataInput in) throws IOException {
    int w = in.readInt();
    if (w <= 0 || w > 10_000_000) throw new IOException("corrupt paired scores: window " + w);
    PairedScores s = new PairedScores(w);
    s.n = in.readLong();
    s.head = in.readInt();
    s.filled = in.readInt();
    if (s.head < 0 || s.head >= w || s.filled < 0 || s.filled > w)
      throw new IOException("corrupt paired scores");
    for (int p = 0; p < 3; p++) {
      s.sum[p] = in.readDouble();
      s.sumSq[p] = in.readDouble();
      s.windowSum[p] = in.readDouble();
      for (int i = 0; i < s.filled; i++) s.window[p][i] = in.readFloat();
    }
    for (int i = 0; i < 2; i++) {
      s.diffSum[i] = in.readDouble();
      s.diffSq[i] = in.readDouble();
    }
    return s;
  }
}
