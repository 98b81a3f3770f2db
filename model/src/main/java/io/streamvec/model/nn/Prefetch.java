package io.streamvec.model.nn;

/**
 * Early loads of rows a coming step will read: one float per 64-byte line (and the last), summed so
 * that the JIT keeps the loads. Java has no prefetch instruction; a load whose value is not needed
 * soon does the same on an out-of-order CPU: the cache misses of several rows overlap with each
 * other and with the work before the step, instead of following one another inside it.
 */
public final class Prefetch {
  private static final int LINE_FLOATS = 16; // floats per 64-byte cache line

  private Prefetch() {}

  /** Touches data[offset .. offset+n); returns a sum of the loads for the caller's sink. */
  public static float row(float[] data, int offset, int n) {
    float s = data[offset + n - 1];
    for (int i = 0; i < n; i += LINE_FLOATS) s += data[offset + i];
    return s;
  }
}
