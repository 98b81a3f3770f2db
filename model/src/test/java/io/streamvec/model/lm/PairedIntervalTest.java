package io.streamvec.model.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedIntervalTest {

  @Test
  void theRatioIsTwoToTheMeanDifferenceOfTheLoggedBits() {
    BitsLog a = new BitsLog(), b = new BitsLog();
    double[][] bits = {{7, 6}, {3, 5}, {10, 9.5}, {4, 4}, {1, 2}, {8, 6}};
    for (double[] t : bits) {
      a.add(t[0]);
      b.add(t[1]);
    }
    b.add(99); // a token only b scored is not part of the comparison
    PairedInterval p = PairedInterval.of(a, b, 1);
    assertEquals(6, p.tokens());
    assertEquals(2, p.block()); // ceil(6^(1/3))
    assertEquals(Math.pow(2, (1 - 2 + 0.5 + 0 - 1 + 2) / 6.0), p.ratio(), 1e-12);
    assertTrue(p.low() <= p.ratio() && p.ratio() <= p.high());
  }

  /**
   * On AR(1) differences with known mean 0 (phi = 0.5: the standard error of the mean is sqrt(3)
   * times the independent-token one) the block-bootstrap interval covers the truth about 95% of the
   * time, while the interval that assumes independence covers it only ~74% of the time.
   */
  @Test
  void onAutocorrelatedDifferencesTheBlockIntervalKeepsItsCoverage() {
    SplittableRandom rng = new SplittableRandom(42);
    int runs = 300, n = 3000, blockCovers = 0, iidCovers = 0;
    double phi = 0.5;
    for (int r = 0; r < runs; r++) {
      double[] d = new double[n];
      double x = gaussian(rng) / Math.sqrt(1 - phi * phi);
      for (int t = 0; t < n; t++) {
        d[t] = x;
        x = phi * x + gaussian(rng);
      }
      PairedInterval p = PairedInterval.of(d, (int) Math.ceil(Math.cbrt(n)), r);
      if (p.low() <= 1 && 1 <= p.high()) blockCovers++;
      if (p.iidLow() <= 1 && 1 <= p.iidHigh()) iidCovers++;
      if (r == 0) assertEquals(phi, p.lag1(), 0.06);
    }
    assertTrue(blockCovers >= 0.88 * runs, "block bootstrap covered " + blockCovers + "/" + runs);
    assertTrue(iidCovers <= 0.82 * runs, "independent-token interval covered " + iidCovers);
  }

  @Test
  void onIndependentDifferencesBothIntervalsAgree() {
    SplittableRandom rng = new SplittableRandom(7);
    double[] d = new double[20_000];
    for (int t = 0; t < d.length; t++) d[t] = 0.1 + gaussian(rng);
    PairedInterval p = PairedInterval.of(d, 28, 3);
    double blockWidth = Math.log(p.high() / p.low()), iidWidth = Math.log(p.iidHigh() / p.iidLow());
    assertEquals(1, blockWidth / iidWidth, 0.12);
    assertTrue(p.low() > 1, "mean 0.1 bits with s.e. 0.007 is outside the noise: " + p);
  }

  private static double gaussian(SplittableRandom rng) {
    double u = 1 - rng.nextDouble(), v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
