package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The recent metrics on a Markov source whose entropy rate is known: the calibrated per-token
 * signal agrees with exact scoring, and after the source changes it moves within a few half-lives
 * while the cumulative and windowed metrics (sparse exact sample) hardly move.
 */
class RecentMetricsOnLearnerTest {
  static final int STATES = 24;
  static final double[] P = {0.6, 0.3, 0.1};
  static final double RATE = -(0.6 * log2(0.6) + 0.3 * log2(0.3) + 0.1 * log2(0.1)); // 1.295

  static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** n tokens of a first-order source: state s goes to (s * mul + b * 5 + 1) mod 24, b ~ P. */
  static List<String> markov(Rng rng, int n, int mul) {
    List<String> out = new ArrayList<>(n);
    int state = 0;
    for (int t = 0; t < n; t++) {
      double u = rng.nextDouble();
      int b = u < P[0] ? 0 : u < P[0] + P[1] ? 1 : 2;
      state = (state * mul + b * 5 + 1) % STATES;
      out.add("s" + state);
    }
    return out;
  }

  static ModelConfig config(String evalEvery) {
    return ModelConfig.defaults()
        .with("dim", "24")
        .with("context", "2")
        .with("min-count", "1")
        .with("vocab-size", "40")
        .with("eval-every", evalEvery)
        .with("eval-window", "1000")
        .with("lr", "0.1")
        .with("seed", "5");
  }

  @Test
  void calibratedSignalAgreesWithExactScoring() {
    // every token scored exactly: the calibrated cheap signal and the exact one estimate the same
    // recent cross-entropy (subsampling keeps ~18% of these frequent words: weights 1/keep matter)
    Learner l = new Learner(config("1"));
    l.setRecentHalfLife(5_000);
    l.learn(markov(new Rng(123), 60_000, 7));
    double cheap = l.recentMeter().crossEntropyBits();
    double exact = l.recentMeter().exactCrossEntropyBits();
    assertEquals(exact, cheap, 0.1, "calibrated vs exact recent bits");
    assertEquals(RATE, exact, 0.45, "recent bits vs the entropy rate");
    assertEquals(l.stats().get("recent_perplexity"), Math.pow(2, cheap), 1e-9);
  }

  @Test
  void recentMetricsFollowAChangeOfSourceAndRecover() {
    // 1 token in 100 scored exactly: the 1000-token window spans 100k tokens of the stream
    Learner l = new Learner(config("100"));
    l.setRecentHalfLife(2_000);
    Rng rng = new Rng(9);
    l.learn(markov(rng, 80_000, 7));
    double settled = l.recentMeter().crossEntropyBits();
    double windowBefore = l.meter().windowCrossEntropyBits();
    assertEquals(RATE, settled, 0.5, "settled on source A");
    l.learn(markov(rng, 3_000, 11)); // source B: other successors
    double afterSwitch = l.recentMeter().crossEntropyBits();
    double windowAfter = l.meter().windowCrossEntropyBits();
    assertTrue(
        afterSwitch > settled + 1,
        "recent bits " + settled + " -> " + afterSwitch + " 3000 tokens after the switch");
    assertTrue(
        windowAfter - windowBefore < (afterSwitch - settled) / 2,
        "the window moves less: " + windowBefore + " -> " + windowAfter);
    l.learn(markov(rng, 80_000, 11));
    assertEquals(RATE, l.recentMeter().crossEntropyBits(), 0.5, "recovered on source B");
    assertTrue(l.recentMeter().exactSampleSize(l.tokens()) > 20);
  }
}
