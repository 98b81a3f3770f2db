package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ExpSum against StrictMath (fdlibm, written apart from it) and against its own definition written
 * out in double here; the Vector API path is checked for the same bits by SimdDeterminismTest.
 */
class ExpSumTest {

  @Test
  void expIsWithinFourFloatUlpsOfStrictMath() {
    double worst = 0;
    for (float x = 0f; x >= -87f; x -= 3.7e-4f) {
      double exact = StrictMath.exp(x);
      double ulps = Math.abs(ExpSum.exp(x) - exact) / Math.ulp((float) exact);
      worst = Math.max(worst, ulps);
    }
    assertTrue(worst <= 4, "worst error " + worst + " float ulps");
    assertEquals(1f, ExpSum.exp(0f));
    assertEquals(1f, ExpSum.exp(-0f));
    assertEquals(ExpSum.exp(-87f), ExpSum.exp(-1000f), "below -87 counts as -87");
    assertEquals(ExpSum.exp(-87f), ExpSum.exp(Float.NEGATIVE_INFINITY));
    assertTrue(ExpSum.exp(-87f) > 0 && ExpSum.exp(-87f) < 1.7e-38f);
  }

  @Test
  void expIntoIsExpElementByElement() {
    SplittableRandom rng = new SplittableRandom(5);
    float[] x = new float[1003];
    for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * -100);
    float[] out = new float[x.length];
    ExpSum.expInto(x, out, 1001);
    for (int i = 0; i < 1001; i++) assertEquals(ExpSum.exp(x[i]), out[i], 0f, "x[" + i + "]");
    assertEquals(0f, out[1001], "past n untouched");
  }

  @Test
  void sumIsTheLaneOrderOfItsDefinition() {
    SplittableRandom rng = new SplittableRandom(7);
    for (int n : new int[] {0, 1, 7, 8, 9, 63, 1003, 50_000}) {
      float[] s = new float[n + 3];
      for (int i = 0; i < s.length; i++) s[i] = (float) (rng.nextDouble() * 40 - 30);
      float max = 10f;
      int from = 3;
      int to = n + 3;
      double[] lane = new double[VectorMath.LANES];
      int i = from;
      for (; i + 7 < to; i += 8) for (int l = 0; l < 8; l++) lane[l] += ExpSum.exp(s[i + l] - max);
      double expected =
          ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
      for (; i < to; i++) expected += ExpSum.exp(s[i] - max);
      assertEquals(expected, ExpSum.sumExp(s, from, to, max), 0.0, "n = " + n);
      double exact = 0;
      for (int j = from; j < to; j++) exact += StrictMath.exp((double) s[j] - max);
      assertEquals(exact, ExpSum.sumExp(s, from, to, max), exact * 5e-7 + 1e-300, "n = " + n);
    }
  }
}
