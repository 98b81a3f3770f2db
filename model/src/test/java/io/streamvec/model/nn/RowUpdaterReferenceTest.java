package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RowUpdater} against a plain double-precision re-implementation of one sparse row update,
 * step after step on seeded random rows and gradients and a token clock that moves on by random
 * amounts, compared element-wise (rows and accumulators).
 *
 * <p>Shapes: a matrix of R rows of width n, stored row-major (row r is data[r*n .. r*n+n)); one
 * accumulator per row. Gradient of row r: G = scale * src[so .. so+n).
 *
 * <p>Row-wise AdaGrad: acc[r] += mean(G^2); row -= lr / sqrt(acc[r] + 1e-6) * G. With a half-life
 * of T tokens the reference keeps, per row, its accumulator and the time tau it was last updated,
 * and before each step multiplies it by 2^-(tau(now) - tau(last)) / T: no global factor, no
 * renormalisation. tau is the token count on RowUpdater's documented grid: tau(t) = p + Q floor((t
 * - p) / Q), p = 32 T floor(t / (32 T)), Q = max(1, floor(T / 1024)). SGD: row -= lr * G,
 * accumulators untouched. A scalar parameter is a row of width 1.
 */
class RowUpdaterReferenceTest {
  static final int ROWS = 5, STEPS = 40;
  static final double LR = 0.15, EPS = 1e-6;
  // float32 parameters against a double reference: ~1e-7 rounding per step, compounding over the
  // steps; a wrong factor or sign is off by more than 1e-2
  static final double TOLERANCE = 1e-5;

  /** The reference's clock: tau(t) in half-lives, on the grid. */
  static double tau(long t, long halfLife) {
    if (halfLife == 0) return 0;
    long period = 32 * halfLife;
    long p = period * (t / period);
    return 32.0 * (t / period) + Math.floor(1024.0 * (t - p) / halfLife) / 1024;
  }

  /** The reference's accumulators: values and the tau of each row's last update. */
  static final class Reference {
    final double[] acc = new double[ROWS], last = new double[ROWS];
    final long halfLife;
    final ModelConfig.Optimizer kind;

    Reference(ModelConfig.Optimizer kind, long halfLife) {
      this.kind = kind;
      this.halfLife = kind == ModelConfig.Optimizer.ADAGRAD ? halfLife : 0;
    }

    /** Row r's accumulator faded to token t. */
    double accumulator(int r, long t) {
      if (halfLife == 0) return acc[r];
      return acc[r] * Math.pow(2, -(tau(t, halfLife) - last[r]));
    }

    /** Adds mean square ms to row r at token t; returns the rate of that step. */
    double rate(int r, long t, double ms) {
      if (kind == ModelConfig.Optimizer.SGD) return LR;
      acc[r] = accumulator(r, t) + ms;
      last[r] = tau(t, halfLife);
      return LR / Math.sqrt(acc[r] + EPS);
    }

    /** One update of row r of ref (width n) with gradient grad at token t. */
    void step(double[] ref, int r, int n, double[] grad, long t) {
      double sumSquares = 0;
      for (double g : grad) sumSquares += g * g;
      double rate = rate(r, t, sumSquares / n);
      for (int j = 0; j < n; j++) ref[r * n + j] -= rate * grad[j];
    }
  }

  static RowUpdater updater(ModelConfig.Optimizer kind, long halfLife, float[] acc) {
    return new RowUpdater(kind, LR, halfLife, new float[][] {acc});
  }

  @ParameterizedTest(name = "{0}, half-life {1}")
  @CsvSource({"ADAGRAD,0", "SGD,0", "ADAGRAD,100", "ADAGRAD,5000", "SGD,100"})
  void stepAndStepKnownMeanSquareAndStepScalarMatchTheReference(
      ModelConfig.Optimizer kind, long halfLife) {
    Rng rng = new Rng(2026);
    for (int n : new int[] {1, 3, 7, 100}) {
      float[] data = new float[ROWS * n], acc = new float[ROWS];
      double[] ref = new double[ROWS * n];
      Reference reference = new Reference(kind, halfLife);
      for (int i = 0; i < data.length; i++) ref[i] = data[i] = rng.nextFloat() * 2 - 1;
      RowUpdater up = updater(kind, halfLife, acc);
      long t = 0;
      for (int s = 0; s < STEPS; s++) {
        // the clock moves 0..~2 half-lives between steps, so rows fade a little or a lot and the
        // 32-half-life renormalisation happens at T = 100
        t += rng.nextInt(4) == 0 ? rng.nextInt(200) : rng.nextInt(5);
        up.advance(t);
        int row = rng.nextInt(ROWS);
        // gradients from tiny (where eps matters) to large, in a source array at an offset
        float magnitude = (float) Math.pow(10, rng.nextInt(6) - 4);
        int so = rng.nextInt(4);
        float[] src = new float[so + n + 2];
        for (int i = 0; i < src.length; i++) src[i] = (rng.nextFloat() * 2 - 1) * magnitude;
        float scale = rng.nextFloat() * 4 - 2;
        double[] grad = new double[n];
        for (int j = 0; j < n; j++) grad[j] = (double) scale * src[so + j];
        int variant = s % 3;
        if (variant == 0) {
          up.step(data, acc, row, n, scale, src, so);
        } else if (variant == 1) {
          double ms = 0;
          for (int j = 0; j < n; j++) ms += (double) src[so + j] * src[so + j] / n;
          up.stepKnownMeanSquare(data, acc, row, n, scale, src, so, (float) ms);
        } else if (n == 1) {
          up.stepScalar(data, acc, row, scale * src[so]);
          grad[0] = (double) (scale * src[so]);
        } else {
          continue;
        }
        reference.step(ref, row, n, grad, t);
        for (int i = 0; i < data.length; i++)
          assertEquals(
              ref[i],
              data[i],
              TOLERANCE * (1 + Math.abs(ref[i])),
              kind + " n=" + n + " [" + i + "] at token " + t);
        for (int r = 0; r < ROWS; r++) {
          double expected = reference.accumulator(r, t);
          assertEquals(
              expected, up.accumulator(acc[r]), TOLERANCE * (1 + expected), "acc[" + r + "]");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}, half-life {1}")
  @CsvSource({"ADAGRAD,0", "SGD,0", "ADAGRAD,100", "ADAGRAD,3000", "ADAGRAD,1000000"})
  void rateMatchesTheReference(ModelConfig.Optimizer kind, long halfLife) {
    Rng rng = new Rng(7);
    float[] acc = new float[ROWS];
    Reference reference = new Reference(kind, halfLife);
    RowUpdater up = updater(kind, halfLife, acc);
    long t = 0;
    for (int s = 0; s < 2000; s++) {
      t += rng.nextInt(Math.max(2, (int) Math.min(halfLife / 8, 1 << 20)));
      up.advance(t);
      int row = rng.nextInt(ROWS);
      float ms = (float) Math.pow(10, rng.nextInt(8) - 7) * rng.nextFloat();
      double expected = reference.rate(row, t, ms);
      assertEquals(expected, up.rate(acc, row, ms), TOLERANCE * expected, "rate at token " + t);
      for (int r = 0; r < ROWS; r++) {
        double a = reference.accumulator(r, t);
        assertEquals(a, up.accumulator(acc[r]), TOLERANCE * (1 + a), "acc[" + r + "] at " + t);
      }
    }
  }

  @Test
  void aFadedRowStepsLikeAFreshOneAndPlainAdagradDoesNot() {
    // the point of fading: after many half-lives without that row's topic, its step size is back
    float[] fadingAcc = new float[1], plainAcc = new float[1];
    RowUpdater fading = updater(ModelConfig.Optimizer.ADAGRAD, 1000, fadingAcc);
    RowUpdater plain = updater(ModelConfig.Optimizer.ADAGRAD, 0, plainAcc);
    for (long t = 1; t <= 10_000; t++) {
      fading.advance(t);
      fading.rate(fadingAcc, 0, 1f);
      plain.rate(plainAcc, 0, 1f);
    }
    fading.advance(60_000); // 50 half-lives later, past a renormalisation
    float fresh = (float) (LR / Math.sqrt(1 + EPS));
    assertEquals(fresh, fading.rate(fadingAcc, 0, 1f), 1e-6 * fresh);
    assertTrue(plain.rate(plainAcc, 0, 1f) < fresh / 90, "plain AdaGrad after 10,001 steps");
  }

  @Test
  void anUpdaterRestoredAtTokenTContinuesBitForBit() {
    // what a checkpoint relies on: the arrays plus the token count are the whole state (cuts
    // before, at and after the renormalisation at 32 half-lives = 3,200 tokens)
    for (int cut : new int[] {1_000, 3_199, 3_200, 7_777}) {
      Rng rng = new Rng(5);
      float[] acc = new float[ROWS];
      RowUpdater live = updater(ModelConfig.Optimizer.ADAGRAD, 100, acc);
      for (long t = 1; t <= cut; t++) {
        live.advance(t);
        live.rate(acc, rng.nextInt(ROWS), rng.nextFloat());
      }
      float[] copy = acc.clone();
      RowUpdater restored = updater(ModelConfig.Optimizer.ADAGRAD, 100, copy);
      restored.restoredAt(cut);
      for (long t = cut + 1; t < cut + 5_000; t++) {
        live.advance(t);
        restored.advance(t);
        int row = rng.nextInt(ROWS);
        float ms = rng.nextFloat();
        assertEquals(
            Float.floatToIntBits(live.rate(acc, row, ms)),
            Float.floatToIntBits(restored.rate(copy, row, ms)),
            "restored at " + cut + ", token " + t);
      }
    }
  }
}
