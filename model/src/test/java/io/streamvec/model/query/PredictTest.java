package io.streamvec.model.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.TestSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * predict() against a softmax written out by hand from the encoder equations (not the encoder
 * classes).
 */
class PredictTest {
  private static final String[] WORDS = {"<unk>", "</s>", "x", "y", "z", "w"};
  private static final int UNK = 0, EOS = 1, X = 2, Y = 3, Z = 4;

  private static ModelSnapshot tiny(ModelConfig.Encoder encoder, long seed) {
    int d = 3, context = 2, hidden = 4;
    ModelConfig c = TestSnapshots.config(encoder, d, context, hidden);
    Random rnd = new Random(seed);
    int v = WORDS.length, h = c.hiddenSize(), p = c.contextPositions();
    FMatrixRMaj[] params =
        encoder == ModelConfig.Encoder.BENGIO
            ? new FMatrixRMaj[] {
              TestSnapshots.gaussian(h, p * d, rnd), TestSnapshots.gaussian(h, 1, rnd)
            }
            : new FMatrixRMaj[] {TestSnapshots.gaussian(p, d, rnd)};
    return TestSnapshots.of(
        c,
        WORDS,
        TestSnapshots.gaussian(v, d, rnd),
        TestSnapshots.gaussian(v, h, rnd),
        TestSnapshots.gaussian(v, 1, rnd),
        params);
  }

  /** p(w | ctx) for every w, in double, straight from the equations in io/package-info.java. */
  private static double[] handSoftmax(ModelSnapshot s, int[] ctx) {
    int d = s.dim(), p = ctx.length;
    FMatrixRMaj[] enc = s.encoderParams();
    double[] h;
    if (s.config.encoder == ModelConfig.Encoder.BENGIO) {
      FMatrixRMaj a = enc[0], a0 = enc[1];
      h = new double[a.numRows];
      for (int j = 0; j < h.length; j++) {
        double z = a0.get(j, 0);
        for (int i = 0; i < p; i++)
          for (int k = 0; k < d; k++) z += a.get(j, i * d + k) * s.embeddings().get(ctx[i], k);
        h[j] = Math.tanh(z);
      }
    } else {
      h = new double[d];
      for (int i = 0; i < p; i++)
        for (int k = 0; k < d; k++) h[k] += enc[0].get(i, k) * s.embeddings().get(ctx[i], k);
    }
    double[] e = new double[s.size()];
    double sum = 0;
    for (int w = 0; w < e.length; w++) {
      double score = s.outputBias.get(w, 0);
      for (int j = 0; j < h.length; j++) score += s.outputWeights().get(w, j) * h[j];
      e[w] = Math.exp(score);
      sum += e[w];
    }
    for (int w = 0; w < e.length; w++) e[w] /= sum;
    return e;
  }

  @ParameterizedTest
  @EnumSource(ModelConfig.Encoder.class)
  void predictEqualsAHandComputedSoftmax(ModelConfig.Encoder encoder) {
    ModelSnapshot s = tiny(encoder, 31 + encoder.ordinal());
    EmbeddingQueries q = new EmbeddingQueries(s);
    // "x y": most recent word first; cbow gets the left context and </s> on the right
    int[] ctx = encoder == ModelConfig.Encoder.CBOW ? new int[] {Y, X, EOS, EOS} : new int[] {Y, X};
    assertArrayEquals(ctx, q.contextIds("x y", s.config));
    double[] p = handSoftmax(s, ctx);
    List<WordScore> got = q.predict("x y", 5);
    assertEquals(5, got.size(), "every word but <unk>");
    List<Integer> order = new ArrayList<>(List.of(1, 2, 3, 4, 5));
    order.sort((a, b) -> Double.compare(p[b], p[a]));
    double total = p[UNK];
    for (int r = 0; r < 5; r++) {
      assertEquals(WORDS[order.get(r)], got.get(r).word(), "rank " + r);
      assertEquals(p[order.get(r)], got.get(r).score(), 1e-6);
      total += got.get(r).score();
    }
    assertEquals(1, total, 1e-5, "with <unk> the probabilities sum to 1");
    assertEquals(2, q.predict("x y", 2).size());
  }

  @Test
  void contextIsTheLastWordsPaddedWithEndOfSentence() {
    ModelSnapshot s = tiny(ModelConfig.Encoder.LBL, 1);
    EmbeddingQueries q = new EmbeddingQueries(s);
    assertArrayEquals(
        new int[] {EOS, EOS},
        q.contextIds("", s.config),
        "an empty context is the start of a stream");
    assertArrayEquals(new int[] {Y, EOS}, q.contextIds("y", s.config));
    assertArrayEquals(
        new int[] {Z, Y}, q.contextIds("x y z", s.config), "only the last P words count");
    assertArrayEquals(
        new int[] {UNK, X}, q.contextIds("x zebra", s.config), "unknown words are <unk>");
    assertArrayEquals(
        new int[] {Y, EOS},
        q.contextIds("X. Y", s.config),
        "a sentence end inside the context stays; the one the tokenizer adds at the end does not");
    double[] p = handSoftmax(s, new int[] {Y, EOS});
    assertEquals(
        p[X],
        q.predict("Y", 5).stream()
            .filter(w -> w.word().equals("x"))
            .findFirst()
            .orElseThrow()
            .score(),
        1e-6);
  }
}
