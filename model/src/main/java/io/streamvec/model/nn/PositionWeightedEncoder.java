package io.streamvec.model.nn;

import java.util.BitSet;
import org.ejml.data.FMatrixRMaj;

/**
 * Log-bilinear context (Mnih and Hinton's LBL with diagonal position matrices, as in vLBL):
 * h = sum_i c_i (.) E[ctx_i]. Shapes: C (P, d) position weights, E (V, d), h (d).
 * With P = L previous words it is a next-word model; CBOW uses P = 2L (L each side).
 * It costs P*d per token, like word2vec's CBOW, yet knows word order (c_i differ per position).
 */
final class PositionWeightedEncoder implements ContextEncoder {
  private final int positions, d;
  private final FMatrixRMaj weights;    // (P, d) parameters
  private final float[] weightsAcc;     // (P) AdaGrad accumulators
  private final float[] gradWeights;    // (P*d) scratch
  private final float[] gradContext;    // (P*d) scratch

  PositionWeightedEncoder(int positions, int d, float initialWeight) {
    this.positions = positions;
    this.d = d;
    this.weights = new FMatrixRMaj(positions, d);
    java.util.Arrays.fill(weights.data, initialWeight);
    this.weightsAcc = new float[positions];
    this.gradWeights = new float[positions * d];
    this.gradContext = new float[positions * d];
  }

  @Override public int outputSize() { return d; }

  @Override public void forward(FMatrixRMaj e, int[] ctx, float[] h) {
    // h = sum_i c_i (.) E[ctx_i]
    java.util.Arrays.fill(h, 0, d, 0f);
    for (int i = 0; i < positions; i++) VectorMath.addHadamard(weights.data, i * d, e.data, ctx[i] * d, h, 0, d);
  }

  @Override public void backward(FMatrixRMaj e, float[] eAcc, int[] ctx, float[] gradH, RowUpdater up, BitSet dirty) {
    // dL/dc_i = E[ctx_i] (.) g ;  dL/dE[ctx_i] = c_i (.) g   (both from pre-update values)
    for (int i = 0; i < positions; i++) {
      VectorMath.hadamard(e.data, ctx[i] * d, gradH, 0, gradWeights, i * d, d);
      VectorMath.hadamard(weights.data, i * d, gradH, 0, gradContext, i * d, d);
    }
    for (int i = 0; i < positions; i++) {
      up.step(weights.data, weightsAcc, i, d, 1f, gradWeights, i * d);
      up.step(e.data, eAcc, ctx[i], d, 1f, gradContext, i * d);
      dirty.set(ctx[i]);
    }
  }

  @Override public FMatrixRMaj[] parameters() { return new FMatrixRMaj[] {weights}; }
  @Override public float[][] accumulators() { return new float[][] {weightsAcc}; }
  @Override public String[] parameterNames() { return new String[] {"position"}; }
}
