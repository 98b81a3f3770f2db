package io.streamvec.model.nn;

import io.streamvec.model.ModelConfig;

/**
 * Sparse SGD step on one matrix row: row -= rate * g. ADAGRAD keeps one accumulator per row
 * (row-wise AdaGrad: a float per row instead of per weight, the usual choice for embedding tables),
 * rate = lr / sqrt(acc + eps) with acc += mean(g^2). SGD uses the constant rate lr. Neither decays
 * to zero on a schedule.
 */
public final class RowUpdater {
  private static final float EPS = 1e-6f;
  private final boolean adagrad;
  private final float lr;

  public RowUpdater(ModelConfig.Optimizer kind, double lr) {
    this.adagrad = kind == ModelConfig.Optimizer.ADAGRAD;
    this.lr = (float) lr;
  }

  public boolean isAdagrad() {
    return adagrad;
  }

  public float baseRate() {
    return lr;
  }

  /** The rate the next step of that row would use if its gradient had mean square ms. */
  public float rate(float[] acc, int row, float ms) {
    if (!adagrad) return lr;
    acc[row] += ms;
    return (float) (lr / Math.sqrt(acc[row] + EPS));
  }

  /** data[row] -= rate * scale * g, g = src[so .. so+n), AdaGrad statistics on scale * g. */
  public void step(float[] data, float[] acc, int row, int n, float scale, float[] src, int so) {
    float r = adagrad ? rate(acc, row, scale * scale * VectorMath.meanSquare(src, so, n)) : lr;
    VectorMath.axpy(-r * scale, src, so, data, row * n, n);
  }

  /**
   * Same as {@link #step} when the caller knows mean(src^2) already: the output rows' gradient is g
   * * h for one h per token, so mean((g h)^2) = g^2 mean(h^2) is computed once, not per row.
   */
  public void stepKnownMeanSquare(
      float[] data,
      float[] acc,
      int row,
      int n,
      float scale,
      float[] src,
      int so,
      float srcMeanSquare) {
    float r = adagrad ? rate(acc, row, scale * scale * srcMeanSquare) : lr;
    VectorMath.axpy(-r * scale, src, so, data, row * n, n);
  }

  /** A scalar parameter (bias b[row]) with gradient g. */
  public void stepScalar(float[] data, float[] acc, int row, float g) {
    float r = adagrad ? rate(acc, row, g * g) : lr;
    data[row] -= r * g;
  }
}
