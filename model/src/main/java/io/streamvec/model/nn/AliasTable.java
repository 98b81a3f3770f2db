package io.streamvec.model.nn;

/**
 * Walker's alias method: O(1) draws from a discrete distribution over V outcomes, O(V) to build.
 * The noise distribution for negative sampling is rebuilt from decayed counts^0.75 every few
 * thousand tokens, so it follows the stream; the build is a pure function of the weights, so a
 * checkpoint stores the weights and rebuilds the same table.
 */
public final class AliasTable {
  private float[] prob = new float[0];
  private int[] alias = new int[0];
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
    if (prob.length < count) {
      int grown = Math.max(count, prob.length + (prob.length >> 1));
      prob = new float[grown];
      alias = new int[grown];
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
      prob[s] = (float) scaled[s];
      alias[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) small[ns++] = l;
      else large[nl++] = l;
    }
    while (nl > 0) {
      int l = large[--nl];
      prob[l] = 1f;
      alias[l] = l;
    }
    while (ns > 0) {
      int s = small[--ns];
      prob[s] = 1f;
      alias[s] = s;
    }
  }

  public int sample(Rng rng) {
    long r = rng.nextLong();
    int column = (int) (((r >>> 32) * n) >>> 32);
    float coin = (r & 0xFFFFFF) * 0x1.0p-24f;
    return coin < prob[column] ? column : alias[column];
  }
}
