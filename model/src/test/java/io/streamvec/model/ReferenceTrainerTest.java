package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@link Learner} against {@link ReferenceTrainer} (written apart, in double precision) on the
 * same 3,671 tokens of {@link TestCorpus}: same vocabulary and counts, same number of trained
 * tokens (the subsampling draws), and every parameter equal within float tolerance.
 *
 * <p>Shapes: V = 870 words seen (capacity 2,000), d=16, L=3 (P = L, or 2L for cbow), k=5. E (V, d),
 * W (V, d), b (V), C (P, d). A snapshot's bias holds b + log q(w) - log keep(w) for negative
 * sampling, so the reference adds its own correction before comparing.
 *
 * <p>The two share only the Tokenizer and the Rng (why: see {@link ReferenceTrainer}), and the
 * learner is driven through its public API alone (learnToken, snapshot), so the comparison holds
 * however Learner is divided inside.
 */
class ReferenceTrainerTest {
  // The reference runs in double, the learner in float32 (rounding ~6e-8 relative per operation,
  // compounding over ~4,000 steps through AdaGrad's normalised rates). Parameters are O(0.01..1);
  // a wrong sign, factor or rate moves them by far more than this after one step.
  static final double TOLERANCE = 1e-4;

  @ParameterizedTest(name = "{0} + {1} + {2}")
  @CsvSource({"lbl,ns,adagrad", "lbl,softmax,adagrad", "cbow,ns,adagrad", "lbl,ns,sgd"})
  void learnerEqualsTheReference(String encoder, String loss, String optimizer) {
    ModelConfig config =
        TestCorpus.smallModel(encoder, loss, optimizer)
            .with("min-count", "1")
            .with("vocab-size", "2000")
            .with("half-life", "1e18")
            .with("seed", "13");
    List<String> tokens = TestCorpus.tokens();
    assertTrue(tokens.size() > 3000, "corpus: " + tokens.size() + " tokens");
    Learner learner = new Learner(config);
    ReferenceTrainer reference = new ReferenceTrainer(config);
    for (String token : tokens) {
      learner.learnToken(token);
      reference.learnToken(token);
    }
    ModelSnapshot s = learner.snapshot(0);
    int v = s.size();
    assertEquals(reference.words.size(), v, "vocabulary size");
    assertEquals(tokens.size(), s.tokens);
    assertEquals(reference.trained, learner.trainedTokens(), "trained tokens (subsampling draws)");
    assertTrue(reference.trained < tokens.size() * 0.9, "subsampling took part");
    for (int id = 0; id < v; id++) {
      assertEquals(reference.words.get(id), s.word(id), "word " + id);
      assertEquals(reference.counts[id], s.count(id), "count of " + s.word(id));
    }
    boolean ns = config.loss == ModelConfig.LossKind.NS;
    double worst = 0;
    int d = config.dim;
    for (int id = 0; id < v; id++) {
      String at = " of '" + s.word(id) + "' (" + config + ")";
      for (int j = 0; j < d; j++) {
        worst =
            Math.max(worst, check(reference.e[id][j], s.embeddings().data[id * d + j], "E" + at));
        worst =
            Math.max(
                worst, check(reference.w[id][j], s.outputWeights().data[id * d + j], "W" + at));
      }
      double bias = reference.b[id] + (ns ? reference.logitCorrection[id] : 0);
      worst = Math.max(worst, check(bias, s.outputBias.data[id], "b" + at));
    }
    float[] positionWeights = s.encoderParams()[0].data;
    for (int i = 0; i < reference.positions; i++)
      for (int j = 0; j < d; j++)
        worst = Math.max(worst, check(reference.c[i][j], positionWeights[i * d + j], "C" + i));
    System.out.printf(
        "reference trainer %s: %d tokens, %d trained, V=%d, largest difference %.3g%n",
        config.encoder + "/" + config.loss + "/" + config.optimizer,
        tokens.size(),
        reference.trained,
        v,
        worst);
  }

  /** Asserts |expected - actual| <= TOLERANCE * max(1, |expected|); returns the difference. */
  private static double check(double expected, float actual, String what) {
    double diff = Math.abs(expected - actual);
    assertEquals(expected, actual, TOLERANCE * Math.max(1, Math.abs(expected)), what);
    return diff;
  }
}
