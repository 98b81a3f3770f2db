package io.streamvec.model.nn;

/**
 * SplitMix64: tiny, fast, and its whole state is one long, so a checkpoint can save and restore it
 * exactly (java.util.Random's state cannot be read back).
 */
public final class Rng {
  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  public long state() {
    return state;
  }

  public void setState(long s) {
    state = s;
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) with 24 bits, enough for float parameters and sampling decisions. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, n) without modulo bias worth caring about for n << 2^32. */
  public int nextInt(int n) {
    return (int) (((nextLong() >>> 32) * n) >>> 32);
  }
}
