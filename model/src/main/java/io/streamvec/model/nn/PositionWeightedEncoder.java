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
  private final float[] preUpdate; // (P*d) scratch: E rows of repeated words before the steps
  private final boolean[] repeated; // (P) scratch: the word is at an earlier position too
  private final float[] meanSquares; // (2P) scratch

  PositionWeightedEncoder(int positions, int d, float initialWeight) {
    this.positions = positions;
    this.d = d;
    this.weights = new FMatrixRMaj(positions, d);
    java.util.Arrays.fill(weights.data, initialWeight);
    this.weightsAcc = new float[positions];
    this.preUpdate = new float[positions * d];
    this.repeated = new boolean[positions];
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
    // First the mean squares (AdaGrad needs the rate before the step), then both steps of each
    // position in one pass, recomputing the products instead of storing them. A c row belongs to
    // one position, so it is pre-update when its position comes; an E row too, unless its word
    // was at an earlier position as well: such a position reads a copy taken before any step.
    meanSquares(ed, cd, ctx, gradH);
    saveRepeatedRows(ed, ctx);
    for (int i = 0; i < positions; i++) {
      // rates in position order, W before E, so a repeated row's accumulator sees the same sums
      float stepW = -up.rate(weightsAcc, i, meanSquares[2 * i]);
      float stepE = -up.rate(eAcc, ctx[i], meanSquares[2 * i + 1]);
      if (repeated[i])
        VectorMath.crossStepFrom(
            cd, i * d, stepW, preUpdate, i * d, ed, ctx[i] * d, stepE, gradH, d);
      else VectorMath.crossStep(cd, i * d, stepW, ed, ctx[i] * d, stepE, gradH, d);
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

  /** Marks the positions whose word is at an earlier one too and copies their rows as they are. */
  private void saveRepeatedRows(float[] ed, int[] ctx) {
    for (int i = 0; i < positions; i++) {
      boolean seen = false;
      for (int k = 0; k < i && !seen; k++) seen = ctx[k] == ctx[i];
      repeated[i] = seen;
      if (seen) System.arraycopy(ed, ctx[i] * d, preUpdate, i * d, d);
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
