package io.streamvec.model.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.eval.PrequentialNgram;
import io.streamvec.model.io.SnapshotCodec;
import io.streamvec.model.lm.MixtureWeights;
import io.streamvec.model.lm.NextWordMixture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What prediction serves from a snapshot: the model's softmax mixed with the learner's n-gram,
 * through the snapshot format. Checked against the unbounded reference n-gram run beside the
 * learner and the model-only distribution of the same snapshot.
 */
class ServedPredictionTest {

  static List<String> text(int n) {
    java.util.Random r = new java.util.Random(4);
    String[] words = {"the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "it", "</s>"};
    List<String> out = new ArrayList<>(n);
    for (int t = 0; t < n; t++)
      out.add(words[Math.min(words.length - 1, (int) (11 * Math.pow(r.nextDouble(), 1.5)))]);
    return out;
  }

  static ModelConfig config() {
    return ModelConfig.defaults()
        .with("dim", "16")
        .with("context", "3")
        .with("min-count", "1")
        .with("eval-every", "3");
  }

  @Test
  void theServedDistributionSumsToOneAndIsTheLearnedMixture() throws IOException {
    Learner learner = new Learner(config());
    PrequentialNgram reference = new PrequentialNgram(3, 100);
    learner.setObserver(reference);
    List<String> stream = text(20_000);
    learner.learn(stream);
    NextWordMixture learned = learner.mixture();
    assertTrue(learned.scores().scored() > 1000);

    ModelSnapshot snap = SnapshotCodec.decode(SnapshotCodec.encode(learner.snapshot(1)));
    assertNotNull(snap.mixture());
    EmbeddingQueries served = new EmbeddingQueries(snap);
    ModelSnapshot alone =
        new ModelSnapshot(
            1,
            snap.tokens,
            snap.config,
            words(snap),
            counts(snap),
            snap.embeddings(),
            snap.outputWeights(),
            snap.outputBias,
            snap.encoderNames(),
            snap.encoderParams(),
            snap.stats(),
            null);
    EmbeddingQueries model = new EmbeddingQueries(alone);

    for (String context :
        new String[] {"", "the cat", "a dog ran to", "unknownword the", "sat on"}) {
      double sum = 0;
      for (double p : served.nextWordDistribution(context)) sum += p;
      assertEquals(1.0, sum, 1e-9, "context '" + context + "'");
    }
    // the end of the stream is the reference's current context
    String context = stream.get(stream.size() - 2) + " " + stream.get(stream.size() - 1);
    double[] p = served.nextWordDistribution(context);
    double[] pm = model.nextWordDistribution(context);
    int v = snap.size();
    int[] hist = {snap.id(stream.get(stream.size() - 1)), snap.id(stream.get(stream.size() - 2))};
    double lambda =
        learned.weights().weight(MixtureWeights.bucket(learned.ngram().contextTotal(hist)));
    assertTrue(lambda > 0.01 && lambda < 0.99 && lambda != 0.5, "lambda " + lambda);
    for (int w = 0; w < v; w++)
      assertEquals(lambda * pm[w] + (1 - lambda) * reference.probability(w, v), p[w], 1e-9);
  }

  @Test
  void withoutAMixtureTheModelAloneIsServedAndSnapshotsCarryNone() throws IOException {
    Learner learner = new Learner(config().with("mixture-order", "0"));
    learner.learn(text(3_000));
    assertNull(learner.mixture());
    ModelSnapshot snap = SnapshotCodec.decode(SnapshotCodec.encode(learner.snapshot(1)));
    assertNull(snap.mixture());
    double sum = 0;
    for (double p : new EmbeddingQueries(snap).nextWordDistribution("the cat")) sum += p;
    assertEquals(1.0, sum, 1e-9);
  }

  @Test
  void aSnapshotCarriesTheMixtureBitForBit() throws IOException {
    Learner learner = new Learner(config());
    learner.learn(text(5_000));
    byte[] once = SnapshotCodec.encode(learner.snapshot(1));
    byte[] twice = SnapshotCodec.encode(SnapshotCodec.decode(once));
    assertArrayEquals(once, twice);
  }

  private static String[] words(ModelSnapshot s) {
    String[] w = new String[s.size()];
    for (int i = 0; i < w.length; i++) w[i] = s.word(i);
    return w;
  }

  private static float[] counts(ModelSnapshot s) {
    float[] c = new float[s.size()];
    for (int i = 0; i < c.length; i++) c[i] = s.count(i);
    return c;
  }
}
