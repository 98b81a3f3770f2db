package io.streamvec.model.nn;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * Bengio et al. 2003: concatenate the P context embeddings, one tanh hidden layer. Shapes: x (P*d,
 * 1), A (H, P*d), a (H, 1), E (V, d). h = tanh(A x + a0). Dense A costs H*P*d per token (40x the
 * log-bilinear encoder at H=d=100, P=4).
 */
final class BengioEncoder implements ContextEncoder {
  private final int positions, d, hidden;
  private final FMatrixRMaj weights; // A (H, P*d)
  private final FMatrixRMaj bias; // a0 (H, 1)
  private final float[] weightsAcc, biasAcc;
  private final FMatrixRMaj x, act, gradAct, gradX; // scratch: (P*d,1) (H,1) (H,1) (P*d,1)

  BengioEncoder(int positions, int d, int hidden, Rng rng) {
    this.positions = positions;
    this.d = d;
    this.hidden = hidden;
    this.weights = new FMatrixRMaj(hidden, positions * d);
    float scale =
        (float)
            Math.sqrt(
                6.0 / (hidden + positions * d)); // Glorot uniform keeps tanh out of saturation
    for (int i = 0; i < weights.data.length; i++)
      weights.data[i] = (rng.nextFloat() * 2f - 1f) * scale;
    this.bias = new FMatrixRMaj(hidden, 1);
    this.weightsAcc = new float[hidden];
    this.biasAcc = new float[hidden];
    this.x = new FMatrixRMaj(positions * d, 1);
    this.act = new FMatrixRMaj(hidden, 1);
    this.gradAct = new FMatrixRMaj(hidden, 1);
    this.gradX = new FMatrixRMaj(positions * d, 1);
  }

  @Override
  public int outputSize() {
    return hidden;
  }

  @Override
  public void forward(FMatrixRMaj e, int[] ctx, float[] h) {
    // x = [E[ctx_0]; ...; E[ctx_P-1]]
    for (int i = 0; i < positions; i++) System.arraycopy(e.data, ctx[i] * d, x.data, i * d, d);
    // a = tanh(A x + a0)
    CommonOps_FDRM.mult(weights, x, act);
    CommonOps_FDRM.addEquals(act, bias);
    for (int j = 0; j < hidden; j++) act.data[j] = (float) StrictMath.tanh(act.data[j]);
    System.arraycopy(act.data, 0, h, 0, hidden);
  }

  @Override
  public void backward(
      FMatrixRMaj e, float[] eAcc, int[] ctx, float[] gradH, RowUpdater up, RowMarks dirty) {
    // g_a = g (.) (1 - a^2) ;  g_x = A^T g_a  (before A changes)
    for (int j = 0; j < hidden; j++) gradAct.data[j] = gradH[j] * (1f - act.data[j] * act.data[j]);
    CommonOps_FDRM.multTransA(weights, gradAct, gradX);
    // A -= rate * g_a x^T (row j scaled by g_a[j]);  a0 -= rate * g_a
    // every row's gradient is g_a[j] x, so mean(x^2) is computed once, not per row (it was
    // H*P*d extra multiply-adds per token, ~1/4 of the encoder's work; same value, same bits)
    float xMeanSquare = up.isAdagrad() ? VectorMath.meanSquare(x.data, 0, positions * d) : 0f;
    for (int j = 0; j < hidden; j++) {
      up.stepKnownMeanSquare(
          weights.data, weightsAcc, j, positions * d, gradAct.data[j], x.data, 0, xMeanSquare);
      up.stepScalar(bias.data, biasAcc, j, gradAct.data[j]);
    }
    // E[ctx_i] -= rate * g_x[i*d .. i*d+d)
    for (int i = 0; i < positions; i++) {
      up.step(e.data, eAcc, ctx[i], d, 1f, gradX.data, i * d);
      if (dirty != null) dirty.mark(ctx[i]);
    }
  }

  @Override
  public FMatrixRMaj[] parameters() {
    return new FMatrixRMaj[] {weights, bias};
  }

  @Override
  public float[][] accumulators() {
    return new float[][] {weightsAcc, biasAcc};
  }

  @Override
  public String[] parameterNames() {
    return new String[] {"hidden.weights", "hidden.bias"};
  }
}
