package io.streamvec.model.nn;

/**
 * A float exp of x &lt;= 0 for an exact softmax, and the softmax's normaliser, the sum of exp(s_i -
 * max) over scores s_i &lt;= max; both defined bit for bit by the code below whatever the CPU, as
 * {@link VectorMath}'s kernels are. In the sum each term is that exp, widened to double and added
 * in {@link VectorMath#LANES} double lanes (lane l adds the terms l, l + 8, ... of the full blocks
 * of 8), the lanes combined as ((0+1)+(2+3))+((4+5)+(6+7)), then the tail added term by term.
 * {@link SimdKernels#sumExp} computes the same with 8-lane vectors where {@link SimdSupport}
 * allows.
 *
 * <p>The exp of x in [-87, 0] (x below -87 counts as -87: e^-87 is 1.6e-38, nothing beside the
 * max's term 1): x = k ln2 + r with k = round(x log2 e) found by adding 1.5 * 2^23 (the float add
 * rounds to an integer), r = (x - k LN2_HI) - k LN2_LO (k LN2_HI is exact: LN2_HI has 9 significant
 * bits, |k| &lt;= 126), e^r by a degree-7 Taylor polynomial in Horner form (|r| &lt;= ln2 / 2:
 * truncation below 1e-8, the whole term within ~4 float ulps of e^x), times 2^k built from k's
 * bits. One IEEE rounding per operation and no fused multiply-add, so lanes and scalar agree.
 */
public final class ExpSum {
  static final float MIN = -87f;
  static final float LOG2E = 1.44269504f;
  static final float SHIFTER = 0x1.8p23f; // 1.5 * 2^23: adding it rounds to an integer
  static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720;
  static final float C7 = 1f / 5040;

  private static final boolean SIMD = SimdSupport.enabled();

  private ExpSum() {}

  /** sum over i in [from, to) of exp(s[i] - max), in the order described above. */
  public static double sumExp(float[] s, int from, int to, float max) {
    if (SIMD) return SimdKernels.sumExp(s, from, to, max);
    double d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0;
    int i = from;
    for (; i + 7 < to; i += 8) {
      d0 += exp(s[i] - max);
      d1 += exp(s[i + 1] - max);
      d2 += exp(s[i + 2] - max);
      d3 += exp(s[i + 3] - max);
      d4 += exp(s[i + 4] - max);
      d5 += exp(s[i + 5] - max);
      d6 += exp(s[i + 6] - max);
      d7 += exp(s[i + 7] - max);
    }
    double sum = ((d0 + d1) + (d2 + d3)) + ((d4 + d5) + (d6 + d7));
    for (; i < to; i++) sum += exp(s[i] - max);
    return sum;
  }

  /**
   * out[i] = {@link #exp}(x[i]) for i &lt; n (x[i] &lt;= 0): a softmax's probabilities from its
   * logs.
   */
  public static void expInto(float[] x, float[] out, int n) {
    if (SIMD) {
      SimdKernels.expInto(x, out, n);
      return;
    }
    for (int i = 0; i < n; i++) out[i] = exp(x[i]);
  }

  /** e^x for x &lt;= 0 as described above (a term of {@link #sumExp}). */
  public static float exp(float x) {
    x = Math.max(x, MIN);
    float t = x * LOG2E + SHIFTER;
    float k = t - SHIFTER;
    float r = x - k * LN2_HI;
    r = r - k * LN2_LO;
    float p = C7;
    p = p * r + C6;
    p = p * r + C5;
    p = p * r + C4;
    p = p * r + C3;
    p = p * r + C2;
    p = p * r + 1f;
    p = p * r + 1f;
    int scaleBits = (Float.floatToRawIntBits(t) - SHIFTER_BITS + 127) << 23;
    return p * Float.intBitsToFloat(scaleBits);
  }
}
