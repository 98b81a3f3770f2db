package io.streamvec.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.AliasTable;
import io.streamvec.model.nn.Rng;
import org.junit.jupiter.api.Test;

/**
 * The sampled score against the exact log-softmax computed here in double precision, on a model
 * shaped like a trained negative-sampling one: logits = W h + b + log q (the noise correction), q a
 * Zipf^0.75 distribution over V words.
 */
class SampledScorerTest {
  static final int V = 20_000, H = 16, M = 256;
  final float[] w = new float[V * H], b = new float[V], correction = new float[V];
  final float[] noiseWeights = new float[V];
  final AliasTable noise = new AliasTable();
  final SampledScorer scorer = new SampledScorer(V, M);
  double noiseSum;

  SampledScorerTest() {
    Rng rng = new Rng(7);
    for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextDouble() - 0.5) * 0.6f;
    for (int i = 0; i < V; i++) {
      b[i] = (float) (rng.nextDouble() - 0.5);
      noiseWeights[i] = (float) Math.pow(1.0 / (i + 1), 0.75);
      noiseSum += noiseWeights[i];
    }
    for (int i = 0; i < V; i++) correction[i] = (float) Math.log(noiseWeights[i] / noiseSum);
    noise.build(noiseWeights, V);
    scorer.rebuild(noiseWeights, V, noiseSum);
  }

  /** -log2 p(target | h) by the full softmax, written apart from the code under test. */
  double exactBits(float[] h, int target) {
    double[] s = new double[V];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < V; i++) {
      double dot = 0;
      for (int j = 0; j < H; j++) dot += (double) w[i * H + j] * h[j];
      s[i] = (float) ((float) dot + b[i]) + correction[i];
      max = Math.max(max, s[i]);
    }
    double z = 0;
    for (int i = 0; i < V; i++) z += Math.exp(s[i] - max);
    return -(s[target] - max - Math.log(z)) / Math.log(2);
  }

  int exactBetter(float[] h, int target) {
    double[] s = new double[V];
    for (int i = 0; i < V; i++) {
      double dot = 0;
      for (int j = 0; j < H; j++) dot += (double) w[i * H + j] * h[j];
      s[i] = dot + b[i] + correction[i];
    }
    int better = 0;
    for (int i = 0; i < V; i++) if (s[i] > s[target]) better++;
    return better;
  }

  PrequentialMeter sampled(float[] h, int v, int target, long token) {
    PrequentialMeter m = new PrequentialMeter(10);
    scorer.score(m, w, b, correction, h, H, v, target, noise, noiseWeights, noiseSum, 5, token);
    return m;
  }

  @Test
  void estimatesTheExactCrossEntropyWithoutBias() {
    Rng rng = new Rng(3);
    int n = 400;
    double sumDiff = 0, sumSquares = 0, sumExact = 0;
    int top5Agree = 0;
    for (int t = 0; t < n; t++) {
      float[] h = new float[H];
      for (int j = 0; j < H; j++) h[j] = (float) (rng.nextDouble() - 0.5) * 4;
      int target = noise.sample(rng); // targets as frequent as in text
      double exact = exactBits(h, target);
      PrequentialMeter m = sampled(h, V, target, t);
      double diff = m.crossEntropyBits() - exact;
      sumDiff += diff;
      sumSquares += diff * diff;
      sumExact += exact;
      if ((m.top5() == 1) == (exactBetter(h, target) < 5)) top5Agree++;
    }
    double bias = sumDiff / n, rms = Math.sqrt(sumSquares / n);
    assertTrue(sumExact / n > 5, "a non-trivial distribution: " + sumExact / n + " bits");
    assertTrue(Math.abs(bias) < 0.02, "mean error " + bias + " bits");
    assertTrue(rms < 0.15, "rms error " + rms + " bits");
    assertTrue(top5Agree >= 0.95 * n, "top-5 agrees on " + top5Agree + " of " + n);
  }

  @Test
  void averagedOverDrawsTheEstimateConvergesToTheExactScore() {
    // one hard context (a rare target): the draws vary with the token number
    float[] h = new float[H];
    Rng rng = new Rng(11);
    for (int j = 0; j < H; j++) h[j] = (float) (rng.nextDouble() - 0.5) * 4;
    int target = 12_345;
    double exact = exactBits(h, target), sum = 0, sq = 0;
    int draws = 2_000;
    for (int k = 0; k < draws; k++) {
      double x = sampled(h, V, target, k).crossEntropyBits();
      sum += x;
      sq += x * x;
    }
    double sd = Math.sqrt(sq / draws - (sum / draws) * (sum / draws));
    // the standard error of the mean of the draws is ~0.002 bits here
    assertEquals(exact, sum / draws, 0.008, "sd of one estimate " + sd);
  }

  @Test
  void wordsAdmittedAfterTheRebuildAreScoredExactly() {
    // strata built for the first half only: the second half is new to the noise table
    SampledScorer half = new SampledScorer(V, M);
    AliasTable halfNoise = new AliasTable();
    double halfSum = 0;
    for (int i = 0; i < V / 2; i++) halfSum += noiseWeights[i];
    halfNoise.build(noiseWeights, V / 2);
    half.rebuild(noiseWeights, V / 2, halfSum);
    Rng rng = new Rng(5);
    double sumDiff = 0;
    int n = 100;
    for (int t = 0; t < n; t++) {
      float[] h = new float[H];
      for (int j = 0; j < H; j++) h[j] = (float) (rng.nextDouble() - 0.5) * 4;
      int target = t % 2 == 0 ? noise.sample(rng) : V / 2 + rng.nextInt(V / 2);
      PrequentialMeter m = new PrequentialMeter(10);
      half.score(m, w, b, correction, h, H, V, target, halfNoise, noiseWeights, halfSum, 5, t);
      sumDiff += m.crossEntropyBits() - exactBits(h, target);
    }
    assertTrue(Math.abs(sumDiff / n) < 0.03, "mean error " + sumDiff / n);
    long cost = half.cost(V, H);
    assertTrue(
        cost >= (long) (M + V / 2) * H && cost <= (long) (2 * M + V / 2) * H, "cost " + cost);
  }

  @Test
  void costDoesNotGrowWithTheVocabulary() {
    assertTrue(scorer.cost(V, H) <= 2L * M * H, "cost " + scorer.cost(V, H));
  }
}
