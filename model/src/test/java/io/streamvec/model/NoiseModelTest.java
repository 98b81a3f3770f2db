package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.BulkLogs;
import io.streamvec.model.nn.VectorMath;
import io.streamvec.model.vocab.StreamingVocabulary;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

  /**
   * Corrections from logs taken in bulk ({@link BulkLogs}: the Vector API's LOG where the JVM has
   * it) are StrictMath's, next to rounding boundaries too: here with Math.log, and in a child JVM
   * with the Vector API (which it must report using, on a CPU with 256-bit vectors).
   */
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void correctionsFromBulkLogsAreStrictMaths() throws Exception {
    assertEquals("0 of 200000 differ", bulkCorrectionMismatches());
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-modules=jdk.incubator.vector");
    cmd.add("-cp");
    cmd.add(
        String.join(
            File.pathSeparator, location(NoiseModelTest.class), location(NoiseModel.class)));
    cmd.add(NoiseModelTest.class.getName());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "child JVM did not finish");
    assertEquals(0, p.exitValue(), "child JVM failed: " + out);
    // the child reports whether it ran the Vector API (it does on a CPU with 256-bit vectors)
    List<String> lines = out.lines().toList();
    assertEquals(2, lines.size(), out);
    assertTrue(lines.get(0).matches("simd=(true|false)"), out);
    assertEquals("0 of 200000 differ", lines.get(1), lines.get(0));
  }

  /** Child JVM of {@link #correctionsFromBulkLogsAreStrictMaths}. */
  public static void main(String[] args) {
    System.out.println("simd=" + VectorMath.simd());
    System.out.println(bulkCorrectionMismatches());
  }

  /**
   * Weights whose shares' corrections land next to float midpoints (and ordinary ones), corrected
   * from {@link BulkLogs} as a rebuild does, against the StrictMath formula.
   */
  private static String bulkCorrectionMismatches() {
    SplittableRandom r = new SplittableRandom(13);
    int n = 200_000;
    float[] weights = new float[n];
    double[] keeps = new double[n];
    double total = 1e6;
    for (int i = 0; i < n; i++) {
      float w = (float) (total * Math.exp(-r.nextDouble() * 30));
      weights[i] = w;
      double a = StrictMath.log(w / total);
      if (i % 3 == 0) {
        keeps[i] = 1.0;
      } else if (i % 2 == 0 || a > -0.02) {
        keeps[i] = Math.exp(-r.nextDouble() * 6);
      } else {
        // log(share) - log(keep) lands next to a float midpoint m in (a, 0)
        double m = -nearMidpoint(r, Math.log(0.01), Math.log(-a));
        keeps[i] = StrictMath.exp(a - m);
      }
    }
    double[] logs = new double[n];
    BulkLogs.logOfQuotients(weights, total, logs, n);
    int differ = 0;
    for (int i = 0; i < n; i++) {
      float expected = strictCorrection(weights[i] / total, keeps[i]);
      float actual = NoiseModel.correction(logs[i], weights[i], total, keeps[i]);
      if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(actual)) differ++;
    }
    return differ + " of " + n + " differ";
  }

  private static String location(Class<?> c) throws Exception {
    return Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
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
