package io.streamvec.model.nn;

/**
 * Walker's alias method: O(1) draws from a discrete distribution over V outcomes, O(V) to build.
 * The noise distribution for negative sampling is rebuilt from decayed counts^0.75 every few
 * thousand tokens, so it follows the stream; the build is a pure function of the weights, so a
 * checkpoint stores the weights and rebuilds the same table.
 */
public final class AliasTable {
  // Per column, the threshold (high 32 bits) and the alias (low 32) side by side: a draw reads one
  // entry, so one cache miss rather than two for a large vocabulary.
  private long[] entries = new long[0];
  private int[] small = new int[0], large = new int[0];
  private double[] scaled = new double[0];
  private int n;

  public int size() {
    return n;
  }

  /**
   * Rebuild for weights w[0..count); entries with weight 0 are never drawn. Allocates only when
   * growing, and then by at least 1.5x: a growing stream vocabulary would otherwise reallocate 24
   * bytes per word on every rebuild (~50 B per token, seen with JMH -prof gc).
   */
  public void build(float[] w, int count) {
    if (entries.length < count) {
      int grown = Math.max(count, entries.length + (entries.length >> 1));
      entries = new long[grown];
      small = new int[grown];
      large = new int[grown];
      scaled = new double[grown];
    }
    double sum = 0;
    for (int i = 0; i < count; i++) sum += w[i];
    n = sum > 0 ? count : 0;
    if (n == 0) return;
    int ns = 0, nl = 0;
    for (int i = 0; i < count; i++) {
      scaled[i] = w[i] * (double) count / sum;
      if (scaled[i] < 1.0) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      int s = small[--ns], l = large[--nl];
      entries[s] = entry((float) scaled[s], l);
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) small[ns++] = l;
      else large[nl++] = l;
    }
    while (nl > 0) {
      int l = large[--nl];
      entries[l] = entry(1f, l);
    }
    while (ns > 0) {
      int s = small[--ns];
      entries[s] = entry(1f, s);
    }
  }

  /**
   * Column c keeps its draw with probability prob: a draw's coin is k 2^-24 for a uniform 24-bit k,
   * and k 2^-24 &lt; prob exactly when k &lt; ceil(prob 2^24) (prob 2^24 is exact in float), so the
   * comparison is done on ints with that threshold.
   */
  private static long entry(float prob, int alias) {
    long threshold = (long) Math.ceil(prob * 0x1p24f);
    return threshold << 32 | (alias & 0xFFFFFFFFL);
  }

  public int sample(Rng rng) {
    return sample(rng.nextLong());
  }

  /**
   * The draw for 64 random bits r: column from the high 32 bits, coin from the low 24 (as a float
   * in [0, 1): (r &amp; 0xFFFFFF) 2^-24), alias if the coin is not below the column's probability.
   */
  int sample(long r) {
    int column = (int) (((r >>> 32) * n) >>> 32);
    long e = entries[column];
    return (r & 0xFFFFFF) < (e >>> 32) ? column : (int) e;
  }
}
