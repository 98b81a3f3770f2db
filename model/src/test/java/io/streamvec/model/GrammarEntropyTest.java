package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * On a stream from a known stochastic grammar (a first-order Markov source whose next word depends
 * on the previous one), the prequential cross-entropy must approach the source's entropy rate,
 * which we compute exactly. A model that learned nothing would score log2(V) or the unigram
 * entropy, both far above it.
 */
class GrammarEntropyTest {
  static final int STATES = 24, BRANCH = 3;

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource({"lbl,softmax,0.25", "lbl,ns,0.45", "bengio,softmax,0.35"})
  void prequentialCrossEntropyApproachesTheEntropyRate(
      String encoder, String loss, double slackBits) {
    Rng rng = new Rng(123);
    // each word has BRANCH successors with probabilities 0.6, 0.3, 0.1
    double[] p = {0.6, 0.3, 0.1};
    int[][] next = new int[STATES][BRANCH];
    for (int s = 0; s < STATES; s++)
      for (int b = 0; b < BRANCH; b++) next[s][b] = (s * 7 + b * 5 + 1) % STATES;
    double rate = 0;
    for (double q : p)
      rate -=
          q
              * Math.log(q)
              / Math.log(2); // stationary is uniform: every state has 3 predecessors with total 1

    ModelConfig c =
        ModelConfig.defaults()
            .with("encoder", encoder)
            .with("loss", loss)
            .with("dim", "24")
            .with("hidden", "24")
            .with("context", "2")
            .with("min-count", "1")
            .with("vocab-size", "40")
            .with("sample", "0")
            .with("eval-every", "1")
            .with("eval-window", "5000")
            .with("optimizer", "adagrad")
            .with("lr", "0.1")
            .with("seed", "5");
    Learner l = new Learner(c);
    int state = 0;
    List<String> batch = new ArrayList<>();
    for (int t = 0; t < 60_000; t++) {
      double u = rng.nextDouble();
      int b = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
      state = next[state][b];
      batch.add("s" + state);
    }
    l.learn(batch);
    double windowBits = l.meter().windowCrossEntropyBits();
    assertTrue(
        windowBits >= rate - 0.05, "cannot beat the entropy rate: " + windowBits + " < " + rate);
    assertEquals(
        rate,
        windowBits,
        slackBits,
        "last-5000-token cross-entropy vs entropy rate "
            + rate
            + " (log2 V = "
            + Math.log(STATES) / Math.log(2)
            + ")");
  }
}
