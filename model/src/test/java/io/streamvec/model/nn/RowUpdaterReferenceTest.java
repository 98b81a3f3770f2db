package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamvec.model.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RowUpdater} against a plain double-precision re-implementation of one sparse row update,
 * step after step on seeded random rows and gradients, compared element-wise (rows and
 * accumulators).
 *
 * <p>Shapes: a matrix of R rows of width n, stored row-major (row r is data[r*n .. r*n+n)); one
 * accumulator per row. Gradient of row r: G = scale * src[so .. so+n).
 *
 * <p>Row-wise AdaGrad: acc[r] += mean(G^2); row -= lr / sqrt(acc[r] + 1e-6) * G. SGD: row -= lr *
 * G, accumulators untouched. A scalar parameter is a row of width 1.
 */
class RowUpdaterReferenceTest {
  static final int ROWS = 5, STEPS = 40;
  static final double LR = 0.15, EPS = 1e-6;
  // float32 parameters against a double reference: ~1e-7 rounding per step, compounding over the
  // steps; a wrong factor or sign is off by more than 1e-2
  static final double TOLERANCE = 1e-5;

  /** The reference: one update of row r of ref (width n) with gradient grad. */
  static void referenceStep(
      double[] ref, double[] acc, int r, int n, double[] grad, ModelConfig.Optimizer kind) {
    double rate = LR;
    if (kind == ModelConfig.Optimizer.ADAGRAD) {
      double sumSquares = 0;
      for (double g : grad) sumSquares += g * g;
      acc[r] += sumSquares / n;
      rate = LR / Math.sqrt(acc[r] + EPS);
    }
    for (int j = 0; j < n; j++) ref[r * n + j] -= rate * grad[j];
  }

  @ParameterizedTest
  @EnumSource(ModelConfig.Optimizer.class)
  void stepAndStepKnownMeanSquareAndStepScalarMatchTheReference(ModelConfig.Optimizer kind) {
    Rng rng = new Rng(2026);
    for (int n : new int[] {1, 3, 7, 100}) {
      float[] data = new float[ROWS * n], acc = new float[ROWS];
      double[] ref = new double[ROWS * n], refAcc = new double[ROWS];
      for (int i = 0; i < data.length; i++) ref[i] = data[i] = rng.nextFloat() * 2 - 1;
      RowUpdater up = new RowUpdater(kind, LR);
      for (int s = 0; s < STEPS; s++) {
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
        referenceStep(ref, refAcc, row, n, grad, kind);
        for (int i = 0; i < data.length; i++)
          assertEquals(
              ref[i],
              data[i],
              TOLERANCE * (1 + Math.abs(ref[i])),
              kind + " n=" + n + " [" + i + "]");
        for (int r = 0; r < ROWS; r++)
          assertEquals(refAcc[r], acc[r], TOLERANCE * (1 + refAcc[r]), "acc[" + r + "]");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ModelConfig.Optimizer.class)
  void rateMatchesTheReference(ModelConfig.Optimizer kind) {
    Rng rng = new Rng(7);
    float[] acc = new float[ROWS];
    double[] refAcc = new double[ROWS];
    RowUpdater up = new RowUpdater(kind, LR);
    for (int s = 0; s < 200; s++) {
      int row = rng.nextInt(ROWS);
      float ms = (float) Math.pow(10, rng.nextInt(8) - 7) * rng.nextFloat();
      double expected = LR;
      if (kind == ModelConfig.Optimizer.ADAGRAD) {
        refAcc[row] += ms;
        expected = LR / Math.sqrt(refAcc[row] + EPS);
      }
      assertEquals(expected, up.rate(acc, row, ms), TOLERANCE * expected, "rate at step " + s);
      assertEquals(refAcc[row], acc[row], TOLERANCE * (1 + refAcc[row]), "acc[" + row + "]");
    }
  }
}
