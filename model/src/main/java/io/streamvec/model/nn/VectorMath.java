package io.streamvec.model.nn;

/**
 * Dense kernels on slices of float arrays (a matrix row is data[r*cols .. r*cols+cols)). The sparse
 * per-token path uses these on the backing arrays of the EJML matrices: a benchmark (see
 * bench/README.md) showed EJML's per-call views cost more than the work for 100-float rows.
 *
 * <p>Every result is defined bit for bit by the code below, whatever the CPU: a sum runs in {@link
 * #LANES} lanes (lane l adds the terms l, l + 8, l + 16, ... of the full blocks of 8, in order),
 * the lanes are combined as ((0+1)+(2+3))+((4+5)+(6+7)), then the tail terms are added one by one.
 * Element-wise kernels have one rounding per operation as written. {@link SimdKernels} computes the
 * same with 256-bit vectors (the incubating Vector API), used when the JVM has the module and the
 * CPU has 256-bit vectors; the scalar loops here give the same bits everywhere else (a test forces
 * them and compares a whole training run).
 */
public final class VectorMath {
  /** Lanes of every sum (the vector shape is fixed, so the bits are). */
  public static final int LANES = 8;

  private static final boolean SIMD = SimdSupport.enabled();

  private VectorMath() {}

  /** Whether the kernels run on the Vector API in this JVM (same results either way). */
  public static boolean simd() {
    return SIMD;
  }

  /** a . b */
  public static float dot(float[] a, int ao, float[] b, int bo, int n) {
    if (SIMD) return SimdKernels.dot(a, ao, b, bo, n);
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
      s4 += a[ao + i + 4] * b[bo + i + 4];
      s5 += a[ao + i + 5] * b[bo + i + 5];
      s6 += a[ao + i + 6] * b[bo + i + 6];
      s7 += a[ao + i + 7] * b[bo + i + 7];
    }
    float s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    for (; i < n; i++) s += a[ao + i] * b[bo + i];
    return s;
  }

  /** sum of (a_i b_i)^2: the squared norm of the element-wise product, in the lanes of dot */
  public static float sumSquaredProducts(float[] a, int ao, float[] b, int bo, int n) {
    if (SIMD) return SimdKernels.sumSquaredProducts(a, ao, b, bo, n);
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      float p0 = a[ao + i] * b[bo + i], p1 = a[ao + i + 1] * b[bo + i + 1];
      float p2 = a[ao + i + 2] * b[bo + i + 2], p3 = a[ao + i + 3] * b[bo + i + 3];
      float p4 = a[ao + i + 4] * b[bo + i + 4], p5 = a[ao + i + 5] * b[bo + i + 5];
      float p6 = a[ao + i + 6] * b[bo + i + 6], p7 = a[ao + i + 7] * b[bo + i + 7];
      s0 += p0 * p0;
      s1 += p1 * p1;
      s2 += p2 * p2;
      s3 += p3 * p3;
      s4 += p4 * p4;
      s5 += p5 * p5;
      s6 += p6 * p6;
      s7 += p7 * p7;
    }
    float s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    for (; i < n; i++) {
      float p = a[ao + i] * b[bo + i];
      s += p * p;
    }
    return s;
  }

  /** y += alpha * x */
  public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
    if (SIMD) {
      SimdKernels.axpy(alpha, x, xo, y, yo, n);
      return;
    }
    for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
  }

  /** y += a (.) b (elementwise) */
  public static void addHadamard(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
    if (SIMD) {
      SimdKernels.addHadamard(a, ao, b, bo, y, yo, n);
      return;
    }
    for (int i = 0; i < n; i++) y[yo + i] += a[ao + i] * b[bo + i];
  }

  /**
   * One output row of a negative-sampling step: g += s * w (the row before it moves), then w +=
   * step * h, in one pass over w = data[wo .. wo+n).
   */
  public static void gradientAndStep(
      float[] data, int wo, float s, float step, float[] h, float[] g, int n) {
    if (SIMD) {
      SimdKernels.gradientAndStep(data, wo, s, step, h, g, n);
      return;
    }
    for (int i = 0; i < n; i++) {
      float wi = data[wo + i];
      g[i] += s * wi;
      data[wo + i] = wi + step * h[i];
    }
  }

  /**
   * The two steps of a diagonal bilinear term x (.) c with upstream gradient g, from pre-update
   * values: c += stepC * (x (.) g) and x += stepX * (c (.) g), in one pass.
   */
  public static void crossStep(
      float[] c, int co, float stepC, float[] x, int xo, float stepX, float[] g, int n) {
    if (SIMD) {
      SimdKernels.crossStep(c, co, stepC, x, xo, stepX, g, n);
      return;
    }
    for (int j = 0; j < n; j++) {
      float gj = g[j], xv = x[xo + j], cv = c[co + j];
      c[co + j] = cv + stepC * (xv * gj);
      x[xo + j] = xv + stepX * (cv * gj);
    }
  }

  /**
   * {@link #crossStep} where x has moved since the gradient's pre-update values were taken (a word
   * twice in a context): c += stepC * (x0 (.) g) with x0 = src[so .. so+n) the saved pre-update x,
   * and x += stepX * (c (.) g), in one pass.
   */
  public static void crossStepFrom(
      float[] c,
      int co,
      float stepC,
      float[] src,
      int so,
      float[] x,
      int xo,
      float stepX,
      float[] g,
      int n) {
    if (SIMD) {
      SimdKernels.crossStepFrom(c, co, stepC, src, so, x, xo, stepX, g, n);
      return;
    }
    for (int j = 0; j < n; j++) {
      float gj = g[j], cv = c[co + j];
      c[co + j] = cv + stepC * (src[so + j] * gj);
      x[xo + j] = x[xo + j] + stepX * (cv * gj);
    }
  }

  /** mean of x^2 */
  public static float meanSquare(float[] x, int xo, int n) {
    return dot(x, xo, x, xo, n) / n;
  }

  /** log(sigmoid(z)), stable for large |z| */
  public static double logSigmoid(double z) {
    return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
  }

  /**
   * 1 / (1 + e^-z), linearly interpolated in a table of StrictMath values 1/64 apart over (-16, 16)
   * (error below 4e-6; beyond, the float nearest the limit): Math.exp may differ in its last bit
   * between CPUs and JVMs, the table cannot, and it is faster.
   */
  public static float sigmoid(float z) {
    if (z >= SIGMOID_RANGE) return 1f;
    if (z <= -SIGMOID_RANGE) return 0f;
    float x = (z + SIGMOID_RANGE) * SIGMOID_STEPS;
    int i = (int) x;
    float f = x - i;
    return SIGMOID[i] + f * (SIGMOID[i + 1] - SIGMOID[i]);
  }

  private static final float SIGMOID_RANGE = 16f;
  private static final int SIGMOID_STEPS = 64; // table entries per unit of z
  private static final float[] SIGMOID = sigmoidTable();

  private static float[] sigmoidTable() {
    float[] t = new float[(int) (2 * SIGMOID_RANGE) * SIGMOID_STEPS + 2];
    for (int i = 0; i < t.length; i++)
      t[i] = (float) (1.0 / (1.0 + StrictMath.exp(SIGMOID_RANGE - (double) i / SIGMOID_STEPS)));
    return t;
  }
}
