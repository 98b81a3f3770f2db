package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.vocab.StreamingVocabulary;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The noise weights and logit corrections are defined by StrictMath; {@link NoiseModel} computes
 * them with Math where that provably rounds the same. Compared here, bit for bit, with the
 * StrictMath formulas written out, on values chosen to lie next to a float rounding boundary (where
 * Math and StrictMath do round differently about 1 time in 60) as well as on ordinary ones.
 */
class NoiseModelTest {
  private static final double[] POWERS = {0.75, 0.5, 1.0, 2.0, 1.3, 0.1, 0.0};

  private static float strictWeight(double power, double count) {
    return (float) StrictMath.exp(power * StrictMath.log(count));
  }

  private static float strictCorrection(double share, double keep) {
    return (float) (StrictMath.log(share) - StrictMath.log(keep));
  }

  private static void assertSameBits(float expected, float actual, String what) {
    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what);
  }

  /**
   * A double x with (float) x near a rounding boundary: x within a few ulps of a float midpoint.
   */
  private static double nearMidpoint(SplittableRandom r, double lnLo, double lnHi) {
    float f = (float) Math.exp(lnLo + r.nextDouble() * (lnHi - lnLo));
    double mid = ((double) f + (double) Math.nextUp(f)) / 2;
    return mid + (r.nextInt(7) - 3) * Math.ulp(mid);
  }

  @Test
  void weightsAreStrictMathsNextToRoundingBoundaries() {
    SplittableRandom r = new SplittableRandom(7);
    int cases = 0;
    for (double p : POWERS) {
      for (int i = 0; i < 20_000; i++) {
        double count;
        if (p == 0 || i % 2 == 0) {
          count = Math.exp(r.nextDouble() * 60 - 30); // ordinary counts, incl. decayed ones < 1
        } else {
          // count^p lands within a few double ulps of a float midpoint
          count = StrictMath.pow(nearMidpoint(r, -20, 20), 1 / p);
          count += (r.nextInt(5) - 2) * Math.ulp(count);
        }
        assertSameBits(strictWeight(p, count), NoiseModel.weight(p, count), p + ", " + count);
        cases++;
      }
    }
    double[] edges = {0, Double.MIN_VALUE, Double.MIN_NORMAL, 1e-154, 1, 1e8, 1e300, 0x1p511};
    for (double p : POWERS) {
      for (double count : edges) {
        assertSameBits(strictWeight(p, count), NoiseModel.weight(p, count), p + ", " + count);
      }
    }
    assertEquals(140_000, cases);
  }

  @Test
  void correctionsAreStrictMathsNextToRoundingBoundaries() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 100_000; i++) {
      double keep = i % 3 == 0 ? 1.0 : Math.exp(-r.nextDouble() * 6);
      double share;
      if (i % 2 == 0) {
        share = Math.exp(-r.nextDouble() * 40);
      } else {
        // log(share) - log(keep) lands next to a float midpoint
        double target = -nearMidpoint(r, Math.log(0.01), Math.log(40));
        share = StrictMath.exp(target + StrictMath.log(keep));
        share += (r.nextInt(5) - 2) * Math.ulp(share);
        if (!(share > 0 && share <= 1)) continue;
      }
      assertSameBits(
          strictCorrection(share, keep), NoiseModel.correction(share, keep), share + ", " + keep);
    }
    // log(share) = log(keep) exactly: the result is 0
    assertSameBits(strictCorrection(0.25, 0.25), NoiseModel.correction(0.25, 0.25), "0.25, 0.25");
  }

  @Test
  void roundsLikeTellsTheSignOfZeroApart() {
    assertTrue(NoiseModel.roundsLike(0f, 1e-50, 1e-60));
    assertFalse(NoiseModel.roundsLike(0f, 1e-50, 1e-45), "-1e-45 rounds to -0f");
    assertFalse(NoiseModel.roundsLike(1f, 1.0, Double.POSITIVE_INFINITY));
    assertFalse(NoiseModel.roundsLike(Float.NaN, Double.NaN, 0));
    assertTrue(NoiseModel.roundsLike(1f, 1.0, 0x1p-30));
    assertFalse(NoiseModel.roundsLike(1f, 1.0 + 0x1p-24, 0x1p-40), "at the midpoint");
  }

  /** The whole rebuild against the formulas on a vocabulary with decayed counts. */
  @Test
  void rebuildGivesTheStrictMathTable() {
    ModelConfig config =
        ModelConfig.defaults()
            .withAll(Map.of("vocab-size", "400", "min-count", "2", "half-life", "5000"));
    StreamingVocabulary vocab = new StreamingVocabulary(400, 2, 5000, 1000);
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 50_000; i++) {
      // Zipf-like: word k with probability ~ 1/k
      int k = (int) Math.exp(r.nextDouble() * Math.log(2000));
      vocab.observe("w" + k);
    }
    int v = vocab.size();
    assertTrue(v > 300, "vocabulary filled: " + v);
    NoiseModel noise = new NoiseModel(config);
    noise.rebuild(vocab, v, 50_000, w -> w % 4 == 0 ? 1.0 : 0.5 + w * 1e-3);

    double power = config.noisePower;
    float[] weights = new float[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      weights[i] = strictWeight(power, vocab.count(i));
      sum += weights[i];
    }
    assertEquals(sum, noise.sum());
    for (int i = 0; i < v; i++) {
      assertSameBits(weights[i], noise.weights()[i], "weight of " + i);
      double keep = i % 4 == 0 ? 1.0 : 0.5 + i * 1e-3;
      float c = weights[i] > 0 ? strictCorrection(weights[i] / sum, keep) : -30f;
      assertSameBits(c, noise.logitCorrection()[i], "correction of " + i);
    }
  }
}
