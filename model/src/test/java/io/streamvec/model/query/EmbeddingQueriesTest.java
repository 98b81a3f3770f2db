package io.streamvec.model.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.TestSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

class EmbeddingQueriesTest {
  private static final double TOL = 1e-6;

  private static FMatrixRMaj rows(float[][] r) {
    return new FMatrixRMaj(r);
  }

  /**
   * Unit vectors at known angles from "a" (plus <unk> and </s> right on top of it, which must be
   * skipped).
   */
  private static EmbeddingQueries angles() {
    String[] words = {"<unk>", "</s>", "a", "b", "c", "d", "e", "f"};
    double[] degrees = {0, 0, 0, 10, 30, 90, 180};
    float[][] e = new float[8][];
    for (int i = 0; i < 7; i++)
      e[i] =
          new float[] {
            (float) Math.cos(Math.toRadians(degrees[i])),
            (float) Math.sin(Math.toRadians(degrees[i]))
          };
    e[4] = new float[] {5 * e[4][0], 5 * e[4][1]}; // length must not matter
    e[5] = new float[] {0, 1}; // exactly orthogonal (cos(90 degrees) is not exactly 0)
    e[6] = new float[] {-1, 0};
    e[7] = new float[] {0, 0}; // a zero vector has cosine 0 with everything
    ModelConfig c = TestSnapshots.config(ModelConfig.Encoder.LBL, 2, 2, 2);
    return new EmbeddingQueries(
        TestSnapshots.of(c, words, rows(e), new FMatrixRMaj(8, 2), new FMatrixRMaj(8, 1)));
  }

  @Test
  void neighboursOfAHandcraftedGeometry() {
    EmbeddingQueries q = angles();
    List<WordScore> n = q.neighbours("a", 3);
    assertEquals(
        List.of("b", "c", "d"),
        n.stream().map(WordScore::word).toList(),
        "d and f tie at 0: the lower id wins");
    assertEquals(Math.cos(Math.toRadians(10)), n.get(0).score(), TOL);
    assertEquals(Math.cos(Math.toRadians(30)), n.get(1).score(), TOL);
    assertEquals(0, n.get(2).score(), TOL);
    assertEquals(
        List.of("b", "c", "d", "f", "e"),
        q.neighbours("a", 1000).stream().map(WordScore::word).toList(),
        "never the query word, <unk> or </s>");
    assertEquals(-1, q.neighbours("a", 1000).get(4).score(), TOL);
    assertEquals(Math.cos(Math.toRadians(20)), q.similarity("b", "c"), TOL);
    assertEquals(0, q.similarity("a", "f"), TOL);
    assertEquals(1, q.similarity("c", "c"), TOL);
  }

  @Test
  void neighboursEqualBruteForceOnRandomData() {
    ModelSnapshot s = TestSnapshots.random(400, 16, ModelConfig.Encoder.LBL, 21);
    EmbeddingQueries q = new EmbeddingQueries(s);
    for (int query : new int[] {2, 3, 77, 399}) {
      List<WordScore> got = q.neighbours(s.word(query), 25);
      List<double[]> brute = new ArrayList<>(); // (cosine, id)
      for (int w = 2; w < s.size(); w++)
        if (w != query) brute.add(new double[] {cosine(s, query, w), w});
      brute.sort((x, y) -> Double.compare(y[0], x[0]));
      assertEquals(25, got.size());
      for (int r = 0; r < 25; r++) {
        assertEquals(brute.get(r)[0], got.get(r).score(), 1e-5, "rank " + r);
        assertEquals(
            cosine(s, query, s.id(got.get(r).word())),
            got.get(r).score(),
            1e-5,
            "the score is the word's cosine");
      }
    }
  }

  @Test
  void queriesUseTheConfiguredWordVectors() {
    String[] words = {"<unk>", "</s>", "a", "b", "c"};
    FMatrixRMaj e = rows(new float[][] {{0, 0}, {0, 0}, {1, 0}, {1, 0.1f}, {0, 1}});
    FMatrixRMaj w = rows(new float[][] {{0, 0}, {0, 0}, {0, 1}, {1, 0}, {0, 1}});
    ModelConfig c = TestSnapshots.config(ModelConfig.Encoder.LBL, 2, 2, 2);
    String[] expectedNearestToA = {"input", "b", "output", "c", "sum", "b", "concat", "c"};
    for (int i = 0; i < expectedNearestToA.length; i += 2) {
      String mode = expectedNearestToA[i];
      EmbeddingQueries q =
          new EmbeddingQueries(
              TestSnapshots.of(c.with("export-vectors", mode), words, e, w, new FMatrixRMaj(5, 1)));
      assertEquals(expectedNearestToA[i + 1], q.neighbours("a", 1).get(0).word(), mode);
    }
    EmbeddingQueries sum =
        new EmbeddingQueries(
            TestSnapshots.of(c.with("export-vectors", "sum"), words, e, w, new FMatrixRMaj(5, 1)));
    // a = (1, 1), b = (2, 0.1), c = (0, 2) after E + W
    assertEquals(2.1 / (Math.sqrt(2) * Math.sqrt(4.01)), sum.similarity("a", "b"), TOL);
    assertEquals(Math.sqrt(0.5), sum.similarity("a", "c"), TOL);
    EmbeddingQueries concat =
        new EmbeddingQueries(
            TestSnapshots.of(
                c.with("export-vectors", "concat"), words, e, w, new FMatrixRMaj(5, 1)));
    // a = (1, 0, 0, 1), b = (1, 0.1, 1, 0)
    assertEquals(1 / (Math.sqrt(2) * Math.sqrt(2.01)), concat.similarity("a", "b"), TOL);
  }

  /** Cosine of two rows of E + W (the default export-vectors for lbl). */
  private static double cosine(ModelSnapshot s, int a, int b) {
    double dot = 0, na = 0, nb = 0;
    for (int j = 0; j < s.dim(); j++) {
      double x = s.embeddings().get(a, j) + s.outputWeights().get(a, j),
          y = s.embeddings().get(b, j) + s.outputWeights().get(b, j);
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void analogyOnAConstructedGeometry() {
    // axes: male, female, royal, person
    String[] words = {"<unk>", "</s>", "man", "woman", "king", "queen", "prince", "apple"};
    float[][] e = {
      {1, 1, 1, 1},
      {1, 0, 1, 0},
      {1, 0, 0, 1},
      {0, 1, 0, 1},
      {1, 0, 1, 0},
      {0, 1, 1, 0},
      {.8f, 0, 1, .3f},
      {.1f, .2f, -.3f, .4f}
    };
    ModelConfig c = TestSnapshots.config(ModelConfig.Encoder.LBL, 4, 2, 4);
    EmbeddingQueries q =
        new EmbeddingQueries(
            TestSnapshots.of(c, words, rows(e), new FMatrixRMaj(8, 4), new FMatrixRMaj(8, 1)));
    // king - man + woman = (royal + male) - (male + person) + (female + person) = royal + female =
    // queen
    List<WordScore> a = q.analogy("man", "king", "woman", 3);
    assertEquals("queen", a.get(0).word());
    assertEquals(1, a.get(0).score(), TOL);
    assertTrue(
        a.stream()
            .noneMatch(w -> List.of("man", "king", "woman", "<unk>", "</s>").contains(w.word())));
    assertEquals(0.5, q.similarity("man", "woman"), TOL);
    assertEquals(
        0.5, q.similarity("King", "MAN"), TOL, "looked up in the tokenizer's (lowercased) form");
  }

  @Test
  void unknownWordsAndBadArgumentsAreClearErrors() {
    EmbeddingQueries q = angles();
    UnknownWordException e =
        assertThrows(UnknownWordException.class, () -> q.neighbours("zebra", 5));
    assertEquals("zebra", e.word());
    assertThrows(UnknownWordException.class, () -> q.analogy("a", "b", "zebra", 5));
    assertThrows(UnknownWordException.class, () -> q.similarity("", "a"));
    assertThrows(IllegalArgumentException.class, () -> q.neighbours("a", 0));
    assertThrows(IllegalArgumentException.class, () -> q.neighbours("a", 1001));
    assertThrows(IllegalArgumentException.class, () -> q.neighbours(null, 5));
    assertThrows(IllegalArgumentException.class, () -> q.predict(null, 5));
    assertEquals(
        5, q.predict("zebra zebra", 5).size(), "unknown context words are <unk>, not an error");
  }

  @Test
  void concurrentReadersSeeTheSameAnswers() throws Exception {
    ModelSnapshot s = TestSnapshots.random(300, 8, ModelConfig.Encoder.BENGIO, 5);
    EmbeddingQueries q = new EmbeddingQueries(s);
    List<List<WordScore>> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++)
      expected.add(
          i % 2 == 0 ? q.neighbours(s.word(2 + i), 10) : q.predict(s.word(2 + i) + " w77", 10));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(
            pool.submit(
                () -> {
                  for (int rep = 0; rep < 5; rep++) {
                    for (int i = 0; i < 40; i++) {
                      List<WordScore> got =
                          i % 2 == 0
                              ? q.neighbours(s.word(2 + i), 10)
                              : q.predict(s.word(2 + i) + " w77", 10);
                      if (!got.equals(expected.get(i))) return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> f : runs) assertTrue(f.get());
    } finally {
      pool.shutdown();
    }
  }
}
