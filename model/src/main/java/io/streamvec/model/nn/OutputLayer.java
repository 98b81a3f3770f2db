package io.streamvec.model.nn;

import java.nio.FloatBuffer;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * The softmax output: score(w) = W[w] . h + b[w] over the V words in use. Shapes: W (Vmax, H), b
 * (Vmax, 1), h (H). Rows beyond the current vocabulary size are ignored by narrowing the views' row
 * count, so the matrices are allocated once at capacity.
 */
public final class OutputLayer {
  public final FMatrixRMaj weights; // W (Vmax, H)
  public final FMatrixRMaj bias; // b (Vmax, 1)
  public final float[] weightsAcc; // (Vmax) AdaGrad accumulators
  public final float[] biasAcc; // (Vmax)
  private final int hidden;
  private float prefetched; // sink of the loads in prefetch, so they are not optimised away
  private float targetScore; // W[target] . h + b[target] in the last negative-sampling step

  // scratch views, allocated once
  private final FMatrixRMaj weightsView = new FMatrixRMaj(1, 1);
  private final FMatrixRMaj scores; // (Vmax, 1) scores, then log-probabilities
  private final FMatrixRMaj gradScores; // (Vmax, 1)
  private final FMatrixRMaj gradHView;

  public OutputLayer(int maxVocab, int hidden) {
    this.hidden = hidden;
    this.weights = new FMatrixRMaj(maxVocab, hidden);
    this.bias = new FMatrixRMaj(maxVocab, 1);
    this.weightsAcc = new float[maxVocab];
    this.biasAcc = new float[maxVocab];
    this.gradHView = new FMatrixRMaj(hidden, 1);
    this.scores = new FMatrixRMaj(maxVocab, 1);
    this.gradScores = new FMatrixRMaj(maxVocab, 1);
    weightsView.data = weights.data;
    weightsView.numCols = hidden;
  }

  public int hidden() {
    return hidden;
  }

  /**
   * Resets row w (a word slot that was just (re)assigned): zero output weights and bias, fresh
   * optimiser state.
   */
  public void resetRow(int w) {
    java.util.Arrays.fill(weights.data, w * hidden, (w + 1) * hidden, 0f);
    bias.data[w] = 0f;
    weightsAcc[w] = 0f;
    biasAcc[w] = 0f;
  }

  /** Row w of the checkpoint: W[w] (H), b[w], then their accumulators. */
  public void writeRow(int w, FloatBuffer out) {
    out.put(weights.data, w * hidden, hidden).put(bias.data[w]).put(weightsAcc[w]).put(biasAcc[w]);
  }

  /** Reads what {@link #writeRow} wrote into row w. */
  public void readRow(int w, FloatBuffer in) {
    in.get(weights.data, w * hidden, hidden);
    bias.data[w] = in.get();
    weightsAcc[w] = in.get();
    biasAcc[w] = in.get();
  }

  private void narrow(int v) {
    weightsView.numRows = v;
    scores.numRows = v;
    gradScores.numRows = v;
  }

  /**
   * log p(w | h) for w in [0, v) into the returned array (valid up to v); the exact softmax, used
   * for the softmax loss, prequential evaluation and next-word queries.
   */
  public float[] logProbabilities(float[] h, int v, float[] correction) {
    narrow(v);
    float max = scoreRows(h, v, correction);
    // log p = s - logsumexp(s), logsumexp(s) = max + log sum_i exp(s_i - max)
    return subtract(v, max, ExpSum.sumExp(scores.data, 0, v, max));
  }

  /**
   * The scores of the v words in use for {@link #logProbabilities}: s = W h + b (+ c, a per-word
   * logit correction, e.g. for negative-sampling scores); returns their max.
   */
  private float scoreRows(float[] h, int v, float[] correction) {
    // VectorMath.dot (8 independent lanes) beats EJML's single-chain row product here
    // (bench/RESULTS.md)
    float[] s = scores.data, wd = weights.data, bd = bias.data;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) {
      float si = VectorMath.dot(wd, i * hidden, h, 0, hidden) + bd[i];
      if (correction != null) si += correction[i];
      s[i] = si;
      max = Math.max(max, si);
    }
    return max;
  }

  private float[] subtract(int v, float max, double sum) {
    float[] s = scores.data;
    float logZ = (float) (max + StrictMath.log(sum));
    for (int i = 0; i < v; i++) s[i] -= logZ;
    return s;
  }

  /** Score of one word, W[w] . h + b[w]. */
  public float score(float[] h, int w) {
    return VectorMath.dot(weights.data, w * hidden, h, 0, hidden) + bias.data[w];
  }

  /**
   * The target's {@link #score} in the last {@link #negativeSamplingStep}, from before that step
   * moved W and b (so the caller need not compute it again).
   */
  public float lastTargetScore() {
    return targetScore;
  }

  /**
   * Backward of softmax + cross-entropy for target, right after {@link #logProbabilities}(h, v) (it
   * reuses those log-probabilities). Adds dL/dh into gradH, steps W and b if up != null. The shared
   * backward: dL/ds = p - 1[w == target]. Returns -log p(target) in nats.
   */
  public double softmaxBackward(float[] h, int target, int v, float[] gradH, RowUpdater up) {
    float[] logp = scores.data;
    double loss = -logp[target];
    // g_s = p - onehot(target)
    float[] gs = gradScores.data;
    ExpSum.expInto(logp, gs, v); // log p <= 0: logsumexp(s) >= max(s)
    gs[target] -= 1f;
    // dL/dh += W^T g_s
    CommonOps_FDRM.multTransA(weightsView, gradScores, gradHView);
    for (int j = 0; j < hidden; j++) gradH[j] += gradHView.data[j];
    if (up != null) {
      // W[i] -= rate * g_s[i] h ;  b[i] -= rate * g_s[i]
      float hMeanSquare = VectorMath.meanSquare(h, 0, hidden);
      for (int i = 0; i < v; i++) {
        up.stepKnownMeanSquare(weights.data, weightsAcc, i, hidden, gs[i], h, 0, hMeanSquare);
        up.stepScalar(bias.data, biasAcc, i, gs[i]);
      }
    }
    return loss;
  }

  /**
   * Starts loading the rows (weights, bias, accumulators) a {@link #negativeSamplingStep} on these
   * words will read; see {@link Prefetch}.
   */
  public void prefetch(int target, int[] samples) {
    prefetched += touch(target, samples, 0, samples.length);
  }

  /** The loads of {@link #prefetch} for samples[so .. so+k); returns their sum for a sink. */
  public float touch(int target, int[] samples, int so, int k) {
    float sink = touchRow(target);
    for (int j = so; j < so + k; j++) if (samples[j] >= 0) sink += touchRow(samples[j]);
    return sink;
  }

  private float touchRow(int w) {
    return Prefetch.row(weights.data, w * hidden, hidden)
        + bias.data[w]
        + weightsAcc[w]
        + biasAcc[w];
  }

  /**
   * Negative-sampling step: target with label 1, each sample (>= 0) with label 0. loss = -log
   * s(z_t) - sum_j log s(-z_j); dL/dz = s(z) - label. Returns the loss in nats when up == null (a
   * pure forward/backward, for checks); training skips the logs (returns 0).
   */
  public double negativeSamplingStep(
      float[] h, int target, int[] samples, float[] gradH, RowUpdater up) {
    double loss = 0;
    float hMeanSquare = up != null && up.isAdagrad() ? VectorMath.meanSquare(h, 0, hidden) : 0f;
    float[] wd = weights.data;
    for (int j = -1; j < samples.length; j++) {
      int w = j < 0 ? target : samples[j];
      if (w < 0) continue;
      float label = j < 0 ? 1f : 0f;
      int wo = w * hidden;
      float z = VectorMath.dot(wd, wo, h, 0, hidden) + bias.data[w];
      if (j < 0) targetScore = z;
      if (up == null) loss -= VectorMath.logSigmoid(j < 0 ? z : -z);
      float g = VectorMath.sigmoid(z) - label;
      if (up == null) {
        VectorMath.axpy(g, wd, wo, gradH, 0, hidden);
        continue;
      }
      // dL/dh += g W[w] (W[w] before it moves) and W[w] -= rate g h, in one pass over the row
      // (word2vec's loop): same arithmetic as axpy then RowUpdater.step, so bit-identical
      float step = -up.rate(weightsAcc, w, g * g * hMeanSquare) * g;
      VectorMath.gradientAndStep(wd, wo, g, step, h, gradH, hidden);
      up.stepScalar(bias.data, biasAcc, w, g);
    }
    return loss;
  }
}
