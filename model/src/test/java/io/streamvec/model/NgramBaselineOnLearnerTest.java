package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.eval.PrequentialNgram;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The n-gram baseline attached to a learner sees every target and scores exactly the tokens the
 * learner's meter scores, also while the vocabulary evicts words, and does not change the learner.
 */
class NgramBaselineOnLearnerTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lbl", "cbow"})
  void scoresTheLearnersScoredTokensAndLeavesTheLearnerUnchanged(String encoder) {
    // 300 Zipf words into 60 slots: admissions and evictions all along the stream
    ModelConfig c =
        ModelConfig.defaults()
            .with("encoder", encoder)
            .with("dim", "16")
            .with("vocab-size", "60")
            .with("min-count", "2")
            .with("half-life", "2000")
            .with("eval-every", "3");
    List<String> words = LearnerRestoreTest.SyntheticText.zipfStream(30_000, 300, 3);
    Learner plain = new Learner(c);
    plain.learn(words);
    Learner observed = new Learner(c);
    PrequentialNgram ngram = new PrequentialNgram(3, c.evalWindow);
    observed.setObserver(ngram);
    observed.learn(words);

    assertTrue(
        observed.vocabulary().evictions() > 50, "evictions " + observed.vocabulary().evictions());
    assertEquals(plain.stats(), observed.stats(), "an observer must not change the learner");
    assertEquals(observed.meter().scored(), ngram.scored());
    long expectedCounted = encoder.equals("cbow") ? words.size() - c.context : words.size();
    assertEquals(expectedCounted, ngram.counted());
    double bits = ngram.crossEntropyBits();
    assertTrue(
        Double.isFinite(bits) && bits > 0 && bits < Math.log(60) / Math.log(2),
        "n-gram bits " + bits);
  }
}
