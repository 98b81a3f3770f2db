package io.streamvec.model;

import io.streamvec.model.eval.RecentMeter;
import io.streamvec.model.nn.ContextEncoder;
import io.streamvec.model.nn.OutputLayer;
import io.streamvec.model.nn.Prefetch;
import io.streamvec.model.nn.RowMarks;
import io.streamvec.model.nn.RowUpdater;
import java.util.Arrays;
import org.ejml.data.FMatrixRMaj;

/**
 * The model's steps of a {@link Learner} under negative sampling: the step on one trained token
 * (forward, the loss step, backward) and the fresh state of a reassigned row, on the thread that
 * runs them: the learner's own, or its step thread ({@link StepThread}). An instance holds its own
 * references to the parameters and its own scratch (h, dL/dh, the sink of early loads), so the step
 * thread's instance shares no cache line with what the caller's thread writes at every token (the
 * learner's counters, its negatives): reading the parameters through the learner, the step thread
 * fetched such a line again at every step.
 */
final class NsSteps implements StepThread.Steps {
  private static final double LN2 = Math.log(2);
  private final FMatrixRMaj embeddings; // E (V, d)
  private final float[] embeddingsAcc;
  private final OutputLayer output;
  private final ContextEncoder encoder;
  private final RowUpdater updater;
  private final RecentMeter recent;
  private final float[] h, gradH;
  private final int d, positions, k;
  private final double logNegatives;
  private float prefetched; // sink of early loads (see Prefetch)

  NsSteps(
      FMatrixRMaj embeddings,
      float[] embeddingsAcc,
      OutputLayer output,
      ContextEncoder encoder,
      RowUpdater updater,
      RecentMeter recent,
      float[] h,
      float[] gradH,
      int positions,
      int k) {
    this.embeddings = embeddings;
    this.embeddingsAcc = embeddingsAcc;
    this.output = output;
    this.encoder = encoder;
    this.updater = updater;
    this.recent = recent;
    this.h = h;
    this.gradH = gradH;
    this.d = embeddings.numCols;
    this.positions = positions;
    this.k = k;
    this.logNegatives = Math.log(k);
  }

  /**
   * -log2 of the noise-corrected negative-sampling estimate of p(target | context): NS drives
   * exp(s) towards p'(w|h) / (k q(w)), so p(w|h) ~ k exp(s + log q - log keep) up to the context's
   * normaliser, which the recent meter calibrates on the exact sample. score = W[target] . h +
   * b[target] before the step (the negative-sampling step computes it anyway).
   */
  static double cheapBits(float score, float correction, double logNegatives) {
    double logP = score + correction + logNegatives;
    return -logP / LN2;
  }

  /**
   * The step on one trained token: forward (unless h holds it already), the loss step, the recent
   * meter's cheap score, backward; marks the rows it changes in dirty (if not null).
   */
  void step(
      boolean forwardDone,
      int target,
      int[] ctx,
      int[] negs,
      double keep,
      float correction,
      long tokens,
      RowMarks dirty) {
    if (!forwardDone) encoder.forward(embeddings, ctx, h);
    Arrays.fill(gradH, 0f);
    output.negativeSamplingStep(h, target, negs, gradH, updater);
    double bits = cheapBits(output.lastTargetScore(), correction, logNegatives);
    recent.recordCheap(tokens, bits, 1 / keep);
    if (dirty != null) {
      dirty.mark(target);
      for (int w : negs) if (w >= 0) dirty.mark(w);
    }
    encoder.backward(embeddings, embeddingsAcc, ctx, gradH, updater, dirty);
  }

  @Override
  public void train(int target, int[] ctx, int[] negs, double keep, float corr, long tokens) {
    step(false, target, ctx, negs, keep, corr, tokens, null);
  }

  @Override
  public void resetRow(int row, float[] init, int io) {
    System.arraycopy(init, io, embeddings.data, row * d, d);
    embeddingsAcc[row] = 0f;
    output.resetRow(row);
  }

  @Override
  public void prefetch(int target, int[] ctx, int co, int[] negs, int no) {
    float sink = output.touch(target, negs, no, k);
    for (int i = 0; i < positions; i++) sink += Prefetch.row(embeddings.data, ctx[co + i] * d, d);
    prefetched += sink;
  }
}
