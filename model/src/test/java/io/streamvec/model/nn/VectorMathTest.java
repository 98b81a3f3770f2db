package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * VectorMath's kernels (on the Vector API when this JVM has it, see {@link VectorMath#simd()})
 * against the definition of their bits written out here apart: 8 lane sums over the full blocks of
 * 8, combined ((0+1)+(2+3))+((4+5)+(6+7)), then the tail term by term; element-wise kernels with
 * one rounding per operation as written. Lengths around the block size, odd offsets, and values of
 * mixed magnitude (so a different summation order would show in the last bits).
 */
class VectorMathTest {
  private static final int[] LENGTHS = {0, 1, 5, 7, 8, 9, 15, 16, 17, 31, 64, 100, 101, 300};

  private static float[] randomArray(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
    return x;
  }

  private interface Term {
    float at(int i);
  }

  /** The lane-order sum of term(0 .. n). */
  private static float laneSum(int n, Term term) {
    float[] lane = new float[8];
    int full = n / 8 * 8;
    for (int i = 0; i < full; i++) lane[i % 8] = lane[i % 8] + term.at(i);
    float s =
        ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    for (int i = full; i < n; i++) s = s + term.at(i);
    return s;
  }

  @Test
  void sumsFollowTheFixedLaneOrderBitForBit() {
    Random r = new Random(15);
    for (int n : LENGTHS) {
      for (int trial = 0; trial < 20; trial++) {
        int ao = r.nextInt(5), bo = r.nextInt(5);
        float[] a = randomArray(r, n + ao), b = randomArray(r, n + bo);
        float dot = laneSum(n, i -> a[ao + i] * b[bo + i]);
        float squares =
            laneSum(
                n,
                i -> {
                  float p = a[ao + i] * b[bo + i];
                  return p * p;
                });
        assertEquals(
            Float.floatToRawIntBits(dot),
            Float.floatToRawIntBits(VectorMath.dot(a, ao, b, bo, n)),
            "dot, n=" + n);
        assertEquals(
            Float.floatToRawIntBits(squares),
            Float.floatToRawIntBits(VectorMath.sumSquaredProducts(a, ao, b, bo, n)),
            "sumSquaredProducts, n=" + n);
      }
    }
  }

  @Test
  void elementWiseKernelsRoundOncePerOperation() {
    Random r = new Random(16);
    for (int n : LENGTHS) {
      int o = r.nextInt(9);
      float[] x = randomArray(r, n + o), y = randomArray(r, n + o), h = randomArray(r, n);
      float[] c = randomArray(r, n + o), g = randomArray(r, n);
      float alpha = (float) r.nextGaussian(), s = (float) r.nextGaussian();
      float step = (float) r.nextGaussian();

      float[] want = y.clone(), got = y.clone();
      for (int i = 0; i < n; i++) want[o + i] = want[o + i] + alpha * x[o + i];
      VectorMath.axpy(alpha, x, o, got, o, n);
      assertBits(want, got, "axpy n=" + n);

      want = y.clone();
      got = y.clone();
      for (int i = 0; i < n; i++) want[o + i] = want[o + i] + x[o + i] * c[o + i];
      VectorMath.addHadamard(x, o, c, o, got, o, n);
      assertBits(want, got, "addHadamard n=" + n);

      float[] wantW = x.clone(), gotW = x.clone(), wantG = g.clone(), gotG = g.clone();
      for (int i = 0; i < n; i++) {
        wantG[i] = wantG[i] + s * x[o + i];
        wantW[o + i] = x[o + i] + step * h[i];
      }
      VectorMath.gradientAndStep(gotW, o, s, step, h, gotG, n);
      assertBits(wantW, gotW, "gradientAndStep row n=" + n);
      assertBits(wantG, gotG, "gradientAndStep gradient n=" + n);

      float[] wantC = c.clone(), gotC = c.clone(), wantX = x.clone(), gotX = x.clone();
      for (int i = 0; i < n; i++) {
        wantC[o + i] = c[o + i] + alpha * (x[o + i] * g[i]);
        wantX[o + i] = x[o + i] + step * (c[o + i] * g[i]);
      }
      VectorMath.crossStep(gotC, o, alpha, gotX, o, step, g, n);
      assertBits(wantC, gotC, "crossStep c n=" + n);
      assertBits(wantX, gotX, "crossStep x n=" + n);

      // the c step from a saved x0 while x itself has moved (a word twice in a context)
      float[] x0 = randomArray(r, n + 3);
      wantC = c.clone();
      gotC = c.clone();
      wantX = x.clone();
      gotX = x.clone();
      for (int i = 0; i < n; i++) {
        wantC[o + i] = c[o + i] + alpha * (x0[3 + i] * g[i]);
        wantX[o + i] = x[o + i] + step * (c[o + i] * g[i]);
      }
      VectorMath.crossStepFrom(gotC, o, alpha, x0, 3, gotX, o, step, g, n);
      assertBits(wantC, gotC, "crossStepFrom c n=" + n);
      assertBits(wantX, gotX, "crossStepFrom x n=" + n);
    }
  }

  @Test
  void sigmoidTableIsWithin4e6OfTheExactSigmoid() {
    float previous = 0f;
    for (float z = -20f; z <= 20f; z += 0.001f) {
      double exact = 1.0 / (1.0 + Math.exp(-(double) z));
      float s = VectorMath.sigmoid(z);
      assertEquals(exact, s, 4e-6, "sigmoid(" + z + ")");
      assertTrue(s >= previous, "sigmoid decreases at " + z);
      previous = s;
    }
    assertEquals(0.5f, VectorMath.sigmoid(0f));
    assertEquals(1f, VectorMath.sigmoid(Float.POSITIVE_INFINITY));
    assertEquals(0f, VectorMath.sigmoid(Float.NEGATIVE_INFINITY));
  }

  private static void assertBits(float[] want, float[] got, String what) {
    for (int i = 0; i < want.length; i++)
      assertEquals(
          Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " at " + i);
  }
}
