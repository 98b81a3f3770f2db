package io.streamvec.model;

/**
 * The noise sampler as the learner's documentation defines it, written apart from {@code
 * AliasTable} for {@link ReferenceTrainer} and {@code AliasTableTest}: Walker's alias table built
 * by Vose's method with last-in-first-out work lists, a float probability and an int alias per
 * column; a draw takes the column from the high 32 bits of one nextLong and the float coin (r &amp;
 * 0xFFFFFF) 2^-24 from its low 24 bits.
 */
public final class ReferenceAlias {
  private final float[] prob;
  private final int[] alias;

  /** The table of the first count weights of w (their sum must be > 0 unless count is 0). */
  public ReferenceAlias(float[] w, int count) {
    double sum = 0;
    for (int i = 0; i < count; i++) sum += w[i];
    prob = new float[count];
    alias = new int[count];
    double[] scaled = new double[count];
    int[] small = new int[count], large = new int[count];
    int ns = 0, nl = 0;
    // columns of mean weight 1; each under-full column is topped up by an over-full one
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

  public int size() {
    return prob.length;
  }

  /** Column c's probability of drawing itself. */
  public float prob(int c) {
    return prob[c];
  }

  public int sample(long r) {
    int column = (int) (((r >>> 32) * prob.length) >>> 32);
    float coin = (r & 0xFFFFFF) * 0x1.0p-24f;
    return coin < prob[column] ? column : alias[column];
  }
}
