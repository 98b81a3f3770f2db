package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * {@link NsBatch}'s step against a reference written apart: the batch loss L = sum_b [-log s(z_b,t)
 * - sum_j log s(-z_b,j)] in double precision, differentiated by central finite differences at the
 * batch-start parameters. Under SGD a flush moves every parameter by -lr dL; under AdaGrad every
 * touched row takes one step on its summed gradient, its accumulator grown by the mean squares of
 * the row's gradient terms (computed here per term, in double). The batch has a repeated target, a
 * negative equal to a target, a negative drawn twice and a context with a repeated word.
 */
class NsBatchTest {
  private static final int V = 10, D = 12, P = 3, K = 4;
  private static final int[] TARGETS = {2, 5, 2, 7, 3};
  private static final int[] NEGATIVES = {5, 1, 1, 8}; // 5 is token 1's target: skipped there
  private static final int[][] CONTEXTS = {{0, 1, 4}, {4, 4, 6}, {2, 9, 0}, {5, 3, 8}, {1, 2, 3}};

  /** The parameters, as the learner holds them. */
  private static final class Model {
    final FMatrixRMaj e = new FMatrixRMaj(V, D);
    final float[] eAcc = new float[V];
    final OutputLayer out = new OutputLayer(V, D);
    final ContextEncoder enc =
        ContextEncoder.create(
            ModelConfig.defaults().with("dim", Integer.toString(D)).with("context", "3"));
    final float[] c = enc.parameters()[0].data;

    Model() {
      Rng rng = new Rng(7);
      for (int i = 0; i < e.data.length; i++) e.data[i] = rng.nextFloat() - 0.5f;
      for (int i = 0; i < out.weights.data.length; i++)
        out.weights.data[i] = rng.nextFloat() - 0.5f;
      for (int i = 0; i < V; i++) out.bias.data[i] = 0.2f * (rng.nextFloat() - 0.5f);
      for (int i = 0; i < c.length; i++) c[i] = 0.5f + rng.nextFloat();
    }

    /** All parameters in one vector: E, W, b, c. */
    double[] flat() {
      double[] p = new double[2 * V * D + V + P * D];
      int o = 0;
      for (float x : e.data) p[o++] = x;
      for (float x : out.weights.data) p[o++] = x;
      for (int i = 0; i < V; i++) p[o++] = out.bias.data[i];
      for (float x : c) p[o++] = x;
      return p;
    }

    /** Runs one batch of the fixed tokens; returns the rows marked. */
    RowMarks learnBatch(RowUpdater up, boolean forwardHere) {
      NsBatch batch = new NsBatch(TARGETS.length, K, e, eAcc, out, enc, up);
      System.arraycopy(NEGATIVES, 0, batch.negatives(), 0, K);
      float[] h = new float[D];
      for (int b = 0; b < TARGETS.length; b++) {
        enc.forward(e, CONTEXTS[b], h);
        float z = batch.add(TARGETS[b], CONTEXTS[b], forwardHere ? null : h);
        assertEquals(reference(flat())[1 + b], z, 1e-5, "score of token " + b);
      }
      assertTrue(batch.isFull());
      RowMarks dirty = new RowMarks(V);
      batch.flush(dirty);
      assertTrue(batch.isEmpty());
      return dirty;
    }
  }

  private static final int E0 = 0, W0 = V * D, B0 = 2 * V * D, C0 = 2 * V * D + V;

  /** [L, z_0,t .. z_B-1,t] at parameters p, in double. */
  private static double[] reference(double[] p) {
    double[] r = new double[1 + TARGETS.length];
    for (int b = 0; b < TARGETS.length; b++) {
      double[] h = new double[D];
      for (int i = 0; i < P; i++)
        for (int j = 0; j < D; j++) h[j] += p[C0 + i * D + j] * p[E0 + CONTEXTS[b][i] * D + j];
      double zt = score(p, TARGETS[b], h);
      r[1 + b] = zt;
      r[0] -= logSigmoid(zt);
      for (int w : NEGATIVES) if (w != TARGETS[b]) r[0] -= logSigmoid(-score(p, w, h));
    }
    return r;
  }

  private static double score(double[] p, int w, double[] h) {
    double z = p[B0 + w];
    for (int j = 0; j < D; j++) z += p[W0 + w * D + j] * h[j];
    return z;
  }

  private static double logSigmoid(double z) {
    return -Math.log1p(Math.exp(-z));
  }

  private static double[] finiteDifferences(double[] p) {
    double[] g = new double[p.length];
    double eps = 1e-5;
    for (int i = 0; i < p.length; i++) {
      double[] q = p.clone();
      q[i] = p[i] + eps;
      double up = reference(q)[0];
      q[i] = p[i] - eps;
      g[i] = (up - reference(q)[0]) / (2 * eps);
    }
    return g;
  }

  @Test
  void sgdStepIsMinusRateTimesTheBatchGradient() {
    for (boolean forwardHere : new boolean[] {false, true}) {
      Model m = new Model();
      double[] before = m.flat(), grad = finiteDifferences(before);
      float lr = 0.01f;
      m.learnBatch(new RowUpdater(ModelConfig.Optimizer.SGD, lr), forwardHere);
      double[] after = m.flat();
      for (int i = 0; i < before.length; i++) {
        double step = (before[i] - after[i]) / lr;
        assertEquals(grad[i], step, 2e-4 + 2e-3 * Math.abs(grad[i]), "parameter " + i);
      }
    }
  }

  @Test
  void adagradStepsEachTouchedRowOnceOnItsSummedGradient() {
    Model m = new Model();
    double[] before = m.flat(), grad = finiteDifferences(before);
    double[][] squares = termSquares(before);
    float lr = 0.1f;
    RowMarks dirty = m.learnBatch(new RowUpdater(ModelConfig.Optimizer.ADAGRAD, lr), false);
    double[] after = m.flat();
    // each row: accumulator = its terms' mean squares; one step of rate lr / sqrt(acc) on the sum
    checkRows(before, after, grad, squares[0], E0, V, D, m.eAcc, lr, "E");
    checkRows(before, after, grad, squares[1], W0, V, D, m.out.weightsAcc, lr, "W");
    checkRows(before, after, grad, squares[2], B0, V, 1, m.out.biasAcc, lr, "b");
    checkRows(before, after, grad, squares[3], C0, P, D, m.enc.accumulators()[0], lr, "c");
    // touched: targets, negatives, context words; dirty marks exactly those
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, dirty.toArray());
  }

  /**
   * Per row of E, W, b and c, the sum over the row's gradient terms of their mean squares: a term
   * per (token, word) of the output layer, dz h_b and dz; per (token, position) of the encoder, c_i
   * (.) g_b and E[ctx_b,i] (.) g_b, with g_b = dL_b/dh_b.
   */
  private static double[][] termSquares(double[] p) {
    double[][] sq = {new double[V], new double[V], new double[V], new double[P]};
    for (int b = 0; b < TARGETS.length; b++) {
      double[] h = new double[D], g = new double[D];
      for (int i = 0; i < P; i++)
        for (int j = 0; j < D; j++) h[j] += p[C0 + i * D + j] * p[E0 + CONTEXTS[b][i] * D + j];
      double hh = 0;
      for (double x : h) hh += x * x / D;
      for (int t = -1; t < K; t++) {
        int w = t < 0 ? TARGETS[b] : NEGATIVES[t];
        if (t >= 0 && w == TARGETS[b]) continue;
        double dz = 1 / (1 + Math.exp(-score(p, w, h))) - (t < 0 ? 1 : 0);
        sq[1][w] += dz * dz * hh;
        sq[2][w] += dz * dz;
        for (int j = 0; j < D; j++) g[j] += dz * p[W0 + w * D + j];
      }
      for (int i = 0; i < P; i++) {
        int r = CONTEXTS[b][i];
        for (int j = 0; j < D; j++) {
          double ge = p[C0 + i * D + j] * g[j], gc = p[E0 + r * D + j] * g[j];
          sq[0][r] += ge * ge / D;
          sq[3][i] += gc * gc / D;
        }
      }
    }
    return sq;
  }

  private static void checkRows(
      double[] before,
      double[] after,
      double[] grad,
      double[] squares,
      int o,
      int rows,
      int n,
      float[] acc,
      float lr,
      String name) {
    for (int r = 0; r < rows; r++) {
      double ms = squares[r];
      assertEquals(ms, acc[r], 1e-6 + 2e-3 * ms, name + " accumulator of row " + r);
      double rate = lr / Math.sqrt(ms + 1e-6);
      for (int j = 0; j < n; j++) {
        int i = o + r * n + j;
        assertEquals(
            before[i] - rate * grad[i],
            after[i],
            1e-5 + 2e-3 * Math.abs(rate * grad[i]),
            name + " " + i);
      }
    }
  }
}
