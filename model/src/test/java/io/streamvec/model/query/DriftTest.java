package io.streamvec.model.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.TestSnapshots;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * A pair of snapshots built by hand with known movers: a sense swap, a flipped rare word, noise.
 */
class DriftTest {
  static final ModelSnapshot BEFORE = TestSnapshots.random(200, 16, ModelConfig.Encoder.LBL, 3);
  static final ModelSnapshot AFTER = moved(BEFORE);

  /** w10 and w20 swap vectors (E and W rows), w190 (count ~5) flips, all others get 1% noise. */
  static ModelSnapshot moved(ModelSnapshot s) {
    FMatrixRMaj e = s.embeddings().copy(), w = s.outputWeights().copy();
    Random r = new Random(5);
    for (int i = 0; i < e.data.length; i++) e.data[i] += 0.01f * (float) r.nextGaussian();
    swapRows(e, s.id("w10"), s.id("w20"));
    swapRows(w, s.id("w10"), s.id("w20"));
    int rare = s.id("w190");
    for (int j = 0; j < e.numCols; j++) {
      e.data[rare * e.numCols + j] *= -1;
      w.data[rare * w.numCols + j] *= -1;
    }
    String[] words = new String[s.size()];
    float[] counts = new float[s.size()];
    for (int i = 0; i < s.size(); i++) {
      words[i] = s.word(i);
      counts[i] = s.count(i);
    }
    return new ModelSnapshot(
        s.version + 1,
        s.tokens + 1000,
        s.config,
        words,
        counts,
        e,
        w,
        s.outputBias,
        s.encoderNames(),
        s.encoderParams(),
        s.stats(),
        null);
  }

  static void swapRows(FMatrixRMaj m, int a, int b) {
    for (int j = 0; j < m.numCols; j++) {
      float t = m.data[a * m.numCols + j];
      m.data[a * m.numCols + j] = m.data[b * m.numCols + j];
      m.data[b * m.numCols + j] = t;
    }
  }

  /** cos of the full-precision word vectors of word in two snapshots, in doubles. */
  static double referenceCosine(ModelSnapshot a, ModelSnapshot b, String word) {
    FMatrixRMaj ua = a.wordVectors(), ub = b.wordVectors();
    int ia = a.id(word), ib = b.id(word), n = ua.numCols;
    double dot = 0, na = 0, nb = 0;
    for (int j = 0; j < n; j++) {
      double x = ua.data[ia * n + j], y = ub.data[ib * n + j];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void theSwappedWordsLeadAndTheDampedRareWordFollows() {
    CompactSnapshot from = CompactSnapshot.of(BEFORE, 1_000, 500);
    CompactSnapshot to = CompactSnapshot.of(AFTER, 2_000, 500);
    List<Drift.Mover> top = Drift.top(from, to, 5, 50, 3);
    assertEquals(Set.of("w10", "w20"), Set.of(top.get(0).word(), top.get(1).word()));
    for (Drift.Mover m : top) {
      double cos = referenceCosine(BEFORE, AFTER, m.word());
      double c = Math.min(BEFORE.count(BEFORE.id(m.word())), AFTER.count(AFTER.id(m.word())));
      assertEquals(cos, m.cosine(), 3e-3, m.word());
      assertEquals((1 - cos) * c / (c + 50), m.score(), 3e-3, m.word());
    }
    assertTrue(top.get(2).word().equals("w190"), "the flipped rare word is third: " + top);
    // undamped, the flipped word (1 - cos = 2) beats the swapped ones (1 - cos ~ 1)
    assertEquals("w190", Drift.top(from, to, 1, 0, 0).get(0).word());
    // neighbours now agree with full-precision queries on the new snapshot
    Drift.Mover first = top.get(0);
    assertEquals(
        new EmbeddingQueries(AFTER).neighbours(first.word(), 1).get(0).word(),
        first.neighboursTo().get(0).word());
    assertEquals(
        new EmbeddingQueries(BEFORE).neighbours(first.word(), 1).get(0).word(),
        first.neighboursFrom().get(0).word());
  }

  @Test
  void stableWordsScoreNearZero() {
    CompactSnapshot from = CompactSnapshot.of(BEFORE, 1_000, 500);
    CompactSnapshot to = CompactSnapshot.of(AFTER, 2_000, 500);
    Set<String> moved = Set.of("w10", "w20", "w190");
    List<Drift.Mover> all = Drift.top(from, to, 1000, 50, 0);
    assertEquals(198, all.size(), "every word but <unk> and </s>");
    for (Drift.Mover m : all)
      if (!moved.contains(m.word())) assertTrue(m.score() < 0.02, m.toString());
  }

  @Test
  void keepsTheMostFrequentWordsInBoundedMemory() {
    CompactSnapshot c = CompactSnapshot.of(BEFORE, 1_000, 50);
    assertEquals(50, c.size());
    assertEquals(50L * (BEFORE.wordVectorDim() + 12), c.vectorBytes());
    // counts in the test snapshot fall with the id: the 50 kept are ids 2..51
    Set<String> kept =
        java.util.stream.IntStream.range(0, 50).mapToObj(c::word).collect(Collectors.toSet());
    for (int id = 2; id < 52; id++) assertTrue(kept.contains(BEFORE.word(id)), BEFORE.word(id));
    assertEquals(-1, c.row("<unk>"));
    assertEquals(-1, c.row("w100"));
  }
}
