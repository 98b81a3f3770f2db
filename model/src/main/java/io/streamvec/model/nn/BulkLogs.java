package io.streamvec.model.nn;

/**
 * Natural logs of many values at once, for callers that need only {@link Math#log}'s accuracy
 * (within 1 ulp of the exact result) and check their own rounding against that bound: where {@link
 * SimdSupport} allows, the Vector API's LOG (whose specification gives the same accuracy) computes
 * 8 lanes at a time; else Math.log one by one. The two may differ in the last bit, so a result must
 * never be used as is where bits matter.
 */
public final class BulkLogs {
  private static final boolean SIMD = SimdSupport.enabled();

  private BulkLogs() {}

  /** out[i] = log(num[i] / den) for i &lt; n, the quotient rounded to a double first. */
  public static void logOfQuotients(float[] num, double den, double[] out, int n) {
    if (SIMD) {
      SimdLogs.logOfQuotients(num, den, out, n);
      return;
    }
    for (int i = 0; i < n; i++) out[i] = Math.log(num[i] / den);
  }
}
