package io.streamvec.model.eval;

import io.streamvec.model.nn.AliasTable;
import io.streamvec.model.nn.Rng;
import io.streamvec.model.nn.VectorMath;

/**
 * Prequential scoring whose cost does not grow with the vocabulary: log p(t | h) = s_t - log Z with
 * Z = sum_w exp(s_w) estimated by stratified importance sampling over the noise distribution q.
 *
 * <p>Shapes: V words in use, H output width, m sampled rows. The words are split once per noise
 * rebuild into an <em>exact</em> stratum (every word with m q(w) >= 1, at most m of them; words
 * with q(w) = 0; words admitted after the rebuild, which q does not cover) and the rest, the
 * <em>tail</em>. Z = exp(s_t) + sum_{exact, w != t} exp(s_w) + T, and T is estimated from m draws j
 * ~ q as T^ = (1/m) sum_k exp(s_j) / q(j) [j in tail, j != t], unbiased for T. Since log is
 * concave, log(Z^) is low by about Var(T^) / (2 Z^2); the sample variance corrects that to second
 * order. The rank of t (for top-1/top-5) counts exact words scoring higher plus the tail estimate
 * sum_k [s_j > s_t] / (m q(j)), rounded.
 *
 * <p>The draws use their own generator seeded from (seed, token number), so scoring never moves the
 * training RNG and needs no checkpointed state; the strata are a pure function of the noise weights
 * that the checkpoint already holds. Cost per scored token: (|exact| + m) H multiply-adds at most.
 */
public final class SampledScorer {
  /**
   * Share of the draws that are uniform over the covered rows: it bounds every importance weight
   * 1/q(j) by V / share, so a rare word that scores high cannot make the estimate heavy-tailed.
   */
  static final double UNIFORM_SHARE = 0.3;

  private final int samples; // m
  private final boolean[] exact; // (Vmax) word is in the exact stratum
  private int[] exactRows = new int[0]; // the exact stratum among rows [0, covered)
  private int exactCount, covered;
  private final Rng rng = new Rng(0);

  public SampledScorer(int capacity, int samples) {
    this.samples = samples;
    this.exact = new boolean[capacity];
  }

  /**
   * Re-splits the strata after the noise table was rebuilt from weights w[0..count) summing to sum.
   */
  public void rebuild(float[] w, int count, double sum) {
    // m q(w) >= 1, q(w) = (1 - share) w / sum + share / count
    double threshold = (1.0 / samples - UNIFORM_SHARE / count) * sum / (1 - UNIFORM_SHARE);
    exactCount = 0;
    for (int i = 0; i < count; i++) {
      exact[i] = w[i] >= threshold;
      if (!exact[i]) continue;
      if (exactCount == exactRows.length)
        exactRows = java.util.Arrays.copyOf(exactRows, Math.max(16, 2 * exactCount));
      exactRows[exactCount++] = i;
    }
    covered = count;
  }

  /** Multiply-adds of one score at vocabulary size v (for the evaluation budget). */
  public long cost(int v, int hidden) {
    return (long) (exactCount + samples + Math.max(0, v - covered)) * hidden;
  }

  /**
   * Records the estimated score of target t into meter and returns it (natural log p(t)). Scores
   * s_w = W[w] . h + b[w] + c[w] (c may be null); noise draws from table, whose weights (summing to
   * sum) gave the strata.
   */
  public double score(
      PrequentialMeter meter,
      float[] weights,
      float[] bias,
      float[] correction,
      float[] h,
      int hidden,
      int v,
      int target,
      AliasTable noise,
      float[] noiseWeights,
      double noiseSum,
      long seed,
      long token) {
    float st = logit(weights, bias, correction, h, hidden, target);
    // exact stratum and words newer than the strata: sum exp(s_w - s_t), count s_w > s_t
    double exactSum = 1; // exp(s_t - s_t)
    long better = 0;
    for (int k = 0; k < exactCount; k++) {
      int w = exactRows[k];
      if (w == target || w >= v) continue;
      float s = logit(weights, bias, correction, h, hidden, w);
      exactSum += Math.exp(s - st);
      if (s > st) better++;
    }
    for (int w = covered; w < v; w++) {
      if (w == target) continue;
      float s = logit(weights, bias, correction, h, hidden, w);
      exactSum += Math.exp(s - st);
      if (s > st) better++;
    }
    // tail: T^ / exp(s_t) = (1/m) sum_k x_k, x_k = exp(s_j - s_t) / q(j)
    // a hashed start: successive tokens must not share overlapping stretches of one sequence
    rng.setState(seed * 0xD1B54A32D192ED03L + token);
    rng.setState(rng.nextLong());
    double sumX = 0, sumX2 = 0, tailBetter = 0;
    int n = noise.size() == 0 ? 0 : samples;
    double uniform = UNIFORM_SHARE / covered;
    for (int k = 0; k < n; k++) {
      int j = rng.nextDouble() < UNIFORM_SHARE ? rng.nextInt(covered) : noise.sample(rng);
      if (j == target || j >= v || exact[j]) continue;
      double q = (1 - UNIFORM_SHARE) * noiseWeights[j] / noiseSum + uniform;
      float s = logit(weights, bias, correction, h, hidden, j);
      double x = Math.exp(s - st) / q;
      sumX += x;
      sumX2 += x * x;
      if (s > st) tailBetter += 1 / q;
    }
    double tail = n == 0 ? 0 : sumX / n;
    double tailVariance = n < 2 ? 0 : Math.max(0, (sumX2 - n * tail * tail) / (n - 1)) / n;
    double z = exactSum + tail; // Z^ / exp(s_t)
    // log p = s_t - log Z ~ -(log Z^ - s_t) - Var(T^) / (2 Z^2)
    double logP = -Math.log(z) - tailVariance / (2 * z * z);
    long rank = better + (n == 0 ? 0 : Math.round(tailBetter / n));
    meter.record(-logP / Math.log(2), (int) Math.min(rank, Integer.MAX_VALUE));
    return logP;
  }

  private static float logit(
      float[] weights, float[] bias, float[] correction, float[] h, int hidden, int w) {
    float s = VectorMath.dot(weights, w * hidden, h, 0, hidden) + bias[w];
    return correction != null ? s + correction[w] : s;
  }
}
