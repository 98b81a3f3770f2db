package io.streamvec.model.nn;

import org.ejml.data.FMatrixRMaj;

/**
 * Log-bilinear context (Mnih and Hinton's LBL with diagonal position matrices, as in vLBL): h =
 * sum_i c_i (.) E[ctx_i]. Shapes: C (P, d) position weights, E (V, d), h (d). With P = L previous
 * words it is a next-word model; CBOW uses P = 2L (L each side). It costs P*d per token, like
 * word2vec's CBOW, yet knows word order (c_i differ per position).
 */
final class PositionWeightedEncoder implements ContextEncoder {
  private final int positions, d;
  private final FMatrixRMaj weights; // (P, d) parameters
  private final float[] weightsAcc; // (P) AdaGrad accumulators
  private final float[] gradWeights; // (P*d) scratch
  private final float[] gradContext; // (P*d) scratch
  private final float[] meanSquares; // (2P) scratch

  PositionWeightedEncoder(int positions, int d, float initialWeight) {
    this.positions = positions;
    this.d = d;
    this.weights = new FMatrixRMaj(positions, d);
    java.util.Arrays.fill(weights.data, initialWeight);
    this.weightsAcc = new float[positions];
    this.gradWeights = new float[positions * d];
    this.gradContext = new float[positions * d];
    this.meanSquares = new float[2 * positions];
  }

  @Override
  public int outputSize() {
    return d;
  }

  @Override
  public void forward(FMatrixRMaj e, int[] ctx, float[] h) {
    // h = sum_i c_i (.) E[ctx_i]
    java.util.Arrays.fill(h, 0, d, 0f);
    for (int i = 0; i < positions; i++)
      VectorMath.addHadamard(weights.data, i * d, e.data, ctx[i] * d, h, 0, d);
  }

  @Override
  public void backward(
      FMatrixRMaj e, float[] eAcc, int[] ctx, float[] gradH, RowUpdater up, RowMarks dirty) {
    // dL/dc_i = E[ctx_i] (.) g ;  dL/dE[ctx_i] = c_i (.) g   (both from pre-update values)
    float[] ed = e.data, cd = weights.data;
    if (hasRepeatedWord(ctx)) {
      backwardBuffered(ed, cd, eAcc, ctx, gradH, up, dirty);
      return;
    }
    // Every E row belongs to one position, so pre-update values are still there when its
    // position comes: first the mean squares (AdaGrad needs the rate before the step), then
    // both steps in one pass, recomputing the products instead of storing them.
    meanSquares(ed, cd, ctx, gradH);
    for (int i = 0; i < positions; i++) {
      // the rates in the order of the buffered path, so accumulators see the same sums
      float stepW = -up.rate(weightsAcc, i, meanSquares[2 * i]);
      float stepE = -up.rate(eAcc, ctx[i], meanSquares[2 * i + 1]);
      VectorMath.crossStep(cd, i * d, stepW, ed, ctx[i] * d, stepE, gradH, d);
      if (dirty != null) dirty.mark(ctx[i]);
    }
  }

  /** AdaGrad's mean squares of dL/dc_i = E[ctx_i] (.) g and dL/dE[ctx_i] = c_i (.) g, per i. */
  private void meanSquares(float[] ed, float[] cd, int[] ctx, float[] gradH) {
    for (int i = 0; i < positions; i++) {
      meanSquares[2 * i] = VectorMath.sumSquaredProducts(ed, ctx[i] * d, gradH, 0, d) / d;
      meanSquares[2 * i + 1] = VectorMath.sumSquaredProducts(cd, i * d, gradH, 0, d) / d;
    }
  }

  private boolean hasRepeatedWord(int[] ctx) {
    for (int i = 1; i < positions; i++)
      for (int k = 0; k < i; k++) if (ctx[i] == ctx[k]) return true;
    return false;
  }

  /** A word twice in the context: all gradients first (pre-update values), then the steps. */
  private void backwardBuffered(
      float[] ed,
      float[] cd,
      float[] eAcc,
      int[] ctx,
      float[] gradH,
      RowUpdater up,
      RowMarks dirty) {
    meanSquares(ed, cd, ctx, gradH);
    for (int i = 0; i < positions; i++) {
      int eo = ctx[i] * d, co = i * d;
      for (int j = 0; j < d; j++) {
        float g = gradH[j];
        gradWeights[co + j] = ed[eo + j] * g;
        gradContext[co + j] = cd[co + j] * g;
      }
    }
    for (int i = 0; i < positions; i++) {
      up.stepKnownMeanSquare(cd, weightsAcc, i, d, 1f, gradWeights, i * d, meanSquares[2 * i]);
      up.stepKnownMeanSquare(ed, eAcc, ctx[i], d, 1f, gradContext, i * d, meanSquares[2 * i + 1]);
      if (dirty != null) dirty.mark(ctx[i]);
    }
  }

  @Override
  public FMatrixRMaj[] parameters() {
    return new FMatrixRMaj[] {weights};
  }

  @Override
  public float[][] accumulators() {
    return new float[][] {weightsAcc};
  }

  @Override
  public String[] parameterNames() {
    return new String[] {"position"};
  }
}
