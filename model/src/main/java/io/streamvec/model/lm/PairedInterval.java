package io.streamvec.model.lm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How two predictors compare on the same scored tokens: the ratio of their perplexities, ppl(a) /
 * ppl(b) = 2^mean(d) with d_t = bits_a(t) - bits_b(t), and a 95% interval for it from the paired
 * differences.
 *
 * <p>The differences are not independent: neighbouring scored tokens come from the same document or
 * source, where one predictor is better than the other for a while (the bench corpus interleaves
 * its sources in ~2,000-word blocks). The interval is therefore a circular moving-block bootstrap
 * (Künsch 1989; Politis and Romano 1992) of mean(d): each replicate concatenates ceil(n / l) blocks
 * of l consecutive differences drawn at uniform starts (wrapping around), with l = ceil(n^(1/3))
 * (the order of the variance-optimal length, Hall et al. 1995), and the 2.5% and 97.5% percentiles
 * of the replicate means give the ends. The interval assuming independence and the lag-1
 * autocorrelation of d are reported beside it, so the effect of blocking is visible.
 *
 * @param tokens scored tokens compared (n)
 * @param block bootstrap block length l in scored tokens
 * @param ratio ppl(a) / ppl(b)
 * @param low lower end of the block-bootstrap 95% interval of the ratio
 * @param high upper end
 * @param iidLow lower end of the normal interval assuming independent tokens
 * @param iidHigh upper end
 * @param lag1 lag-1 autocorrelation of the differences
 */
public record PairedInterval(
    int tokens,
    int block,
    double ratio,
    double low,
    double high,
    double iidLow,
    double iidHigh,
    double lag1) {
  static final int REPLICATES = 2000;
  static final double Z95 = 1.959964;

  /** Compares a with b on their first min(a.size(), b.size()) tokens (the same tokens). */
  public static PairedInterval of(BitsLog a, BitsLog b, long seed) {
    int n = Math.min(a.size(), b.size());
    double[] d = new double[n];
    for (int t = 0; t < n; t++) d[t] = a.get(t) - b.get(t);
    return of(d, (int) Math.ceil(Math.cbrt(n)), seed);
  }

  /** The comparison from the differences d (bits of a minus bits of b) with block length l. */
  public static PairedInterval of(double[] d, int l, long seed) {
    int n = d.length;
    if (n < 2) return new PairedInterval(n, l, Double.NaN, NaN, NaN, NaN, NaN, NaN);
    double sum = 0;
    for (double x : d) sum += x;
    double mean = sum / n;
    double ss = 0, lagged = 0;
    for (int t = 0; t < n; t++) {
      ss += (d[t] - mean) * (d[t] - mean);
      if (t > 0) lagged += (d[t] - mean) * (d[t - 1] - mean);
    }
    double se = Math.sqrt(ss / (n - 1) / n);
    // prefix sums over the sequence followed by its first l - 1 values (circular blocks)
    double[] prefix = new double[n + l];
    for (int t = 0; t < n + l - 1; t++) prefix[t + 1] = prefix[t] + d[t % n];
    int blocks = (n + l - 1) / l;
    double[] means = new double[REPLICATES];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int r = 0; r < REPLICATES; r++) {
      double s = 0;
      for (int i = 0; i < blocks; i++) {
        int start = rng.nextInt(n);
        s += prefix[start + l] - prefix[start];
      }
      means[r] = s / ((double) blocks * l);
    }
    Arrays.sort(means);
    return new PairedInterval(
        n,
        l,
        Math.pow(2, mean),
        Math.pow(2, means[(int) Math.floor(0.025 * (REPLICATES - 1))]),
        Math.pow(2, means[(int) Math.ceil(0.975 * (REPLICATES - 1))]),
        Math.pow(2, mean - Z95 * se),
        Math.pow(2, mean + Z95 * se),
        ss == 0 ? 0 : lagged / ss);
  }

  private static final double NaN = Double.NaN;
}
