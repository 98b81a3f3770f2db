package io.streamvec.model.nn;

/**
 * Dense kernels on slices of float arrays (a matrix row is data[r*cols .. r*cols+cols)). The sparse
 * per-token path uses these on the backing arrays of the EJML matrices: a benchmark (see
 * bench/README.md) showed EJML's per-call views cost more than the work for 100-float rows. Four
 * accumulators give the JIT independent add chains; the order is fixed, so results are
 * deterministic.
 */
public final class VectorMath {
  private VectorMath() {}

  /** a . b */
  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < n; i++) s0 += a[ao + i] * b[bo + i];
    return (s0 + s1) + (s2 + s3);
  }

  /** y += alpha * x */
  public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
  }

  /** y += a (.) b (elementwise) */
  public static void addHadamard(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i++) y[yo + i] += a[ao + i] * b[bo + i];
  }

  /** mean of x^2 */
  public static float meanSquare(float[] x, int xo, int n) {
    return dot(x, xo, x, xo, n) / n;
  }

  /** log(sigmoid(z)), stable for large |z| */
  public static double logSigmoid(double z) {
    return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
  }

  public static float sigmoid(float z) {
    if (z > 30f) return 1f;
    if (z < -30f) return 0f;
    return (float) (1.0 / (1.0 + Math.exp(-z)));
  }
}
