package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.io.RowEncoding;
import io.streamvec.model.io.SnapshotAssembler;
import io.streamvec.model.io.SnapshotPublisher;
import io.streamvec.model.io.TestSnapshots;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.WordScore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Versions of a model share the row blocks that did not change: a reader's version n + 1 holds the
 * very block arrays of version n except where the publisher sent new ones, the publisher's served
 * copy under a lossy encoding likewise, and queries on the shared version answer exactly as on a
 * copy assembled afresh and as the whole-matrix computation they replace (unit vectors, then U q).
 */
class SharedRowBlocksTest {
  static final int CHUNK = 700; // 4 rows per block at d=16 (float32), 8 for int8
  static final Set<Integer> CHANGED = Set.of(2, 9, 30);

  @ParameterizedTest
  @EnumSource(
      value = ModelConfig.ExportVectors.class,
      names = {"INPUT", "SUM", "CONCAT"})
  void aReaderSharesTheBlocksAVersionDidNotChange(ModelConfig.ExportVectors vectors) {
    ModelConfig c =
        LearnerRestoreTest.small("lbl", "ns")
            .with("vocab-size", "400")
            .with("export-vectors", vectors.name().toLowerCase());
    Learner learner = new Learner(c);
    learner.learn(LearnerRestoreTest.SyntheticText.zipfStream(20_000, 300, 5));
    ModelSnapshot s1 = learner.snapshot(1);
    ModelSnapshot s2 =
        changeBlocks(s1, 2, SnapshotPublisher.rowsPerBlock(s1.dim(), s1.outputRows().cols, CHUNK));
    SnapshotPublisher publisher = new SnapshotPublisher("m", CHUNK);
    List<byte[]> log = new ArrayList<>();
    SnapshotAssembler reader = new SnapshotAssembler();
    publisher.publish(s1, (k, v) -> log.add(v));
    log.forEach(reader::accept);
    ModelSnapshot a1 = reader.latest().orElseThrow();
    EmbeddingQueries q1 = new EmbeddingQueries(a1);
    int sent = log.size();
    publisher.publish(s2, (k, v) -> log.add(v));
    assertEquals(CHANGED.size(), publisher.lastBlocks());
    log.subList(sent, log.size()).forEach(reader::accept);
    ModelSnapshot a2 = reader.latest().orElseThrow();
    assertEquals(2, a2.version);
    assertTrue(a2.sameModelAs(s2));
    assertShared(a1, a2, CHANGED);

    SnapshotAssembler fresh = new SnapshotAssembler();
    log.forEach(fresh::accept);
    ModelSnapshot whole = fresh.latest().orElseThrow();
    assertTrue(whole.sameModelAs(a2));
    EmbeddingQueries followed = new EmbeddingQueries(a2, q1), afresh = new EmbeddingQueries(whole);
    for (int id = 2; id < a2.size(); id += 37) {
      String w = a2.word(id);
      assertEquals(reference(s2, id, 8), followed.neighbours(w, 8), w);
      assertEquals(afresh.neighbours(w, 8), followed.neighbours(w, 8), w);
      assertEquals(afresh.similarity(w, a2.word(7)), followed.similarity(w, a2.word(7)));
      assertEquals(
          afresh.analogy(w, a2.word(5), a2.word(9), 5),
          followed.analogy(w, a2.word(5), a2.word(9), 5));
      assertEquals(
          afresh.predict(w + " " + a2.word(3), 5), followed.predict(w + " " + a2.word(3), 5));
    }
  }

  @Test
  void aLossyPublisherServesRoundedBlocksAndSharesTheOthers() {
    ModelConfig c = LearnerRestoreTest.small("lbl", "ns").with("vocab-size", "400");
    Learner learner = new Learner(c);
    learner.learn(LearnerRestoreTest.SyntheticText.zipfStream(20_000, 300, 6));
    ModelSnapshot s1 = learner.snapshot(1);
    int chunk = 300; // the chunk size that makes int8 blocks of 4 rows too
    int d = s1.dim(), h = s1.outputRows().cols;
    while (SnapshotPublisher.rowsPerBlock(d, h, chunk, RowEncoding.INT8) < 4) chunk++;
    ModelSnapshot s2 = changeBlocks(s1, 2, 4);
    SnapshotPublisher publisher = new SnapshotPublisher("m", chunk, RowEncoding.INT8);
    SnapshotAssembler reader = new SnapshotAssembler();
    publisher.publish(s1, (k, v) -> reader.accept(v));
    ModelSnapshot served1 = publisher.asPublished(s1);
    publisher.publish(s2, (k, v) -> reader.accept(v));
    ModelSnapshot served2 = publisher.asPublished(s2);
    assertEquals(CHANGED.size(), publisher.lastBlocks());
    assertShared(served1, served2, CHANGED);
    ModelSnapshot assembled = reader.latest().orElseThrow();
    assertTrue(served2.sameModelAs(assembled), "the owner serves what readers assemble");
    // a snapshot other than the one just published is rounded whole, to the same floats
    assertTrue(publisher.asPublished(s1).sameModelAs(served1));
  }

  /** Blocks of a and b (r rows each) are the same arrays except the changed ones. */
  static void assertShared(ModelSnapshot a, ModelSnapshot b, Set<Integer> changed) {
    for (RowBlocks[] m :
        List.of(
            new RowBlocks[] {a.embeddingRows(), b.embeddingRows()},
            new RowBlocks[] {a.outputRows(), b.outputRows()})) {
      assertEquals(m[0].blockCount(), m[1].blockCount());
      assertTrue(m[0].blockCount() > 40, "blocks: " + m[0].blockCount());
      for (int i = 0; i < m[0].blockCount(); i++)
        if (changed.contains(i)) assertNotSame(m[0].block(i), m[1].block(i), "block " + i);
        else assertSame(m[0].block(i), m[1].block(i), "block " + i);
    }
  }

  /** s as version 2 with one float changed in E and one in W in each of the CHANGED blocks. */
  static ModelSnapshot changeBlocks(ModelSnapshot s, long version, int rowsPerBlock) {
    FMatrixRMaj e = s.embeddings().copy(), w = s.outputWeights().copy();
    for (int b : CHANGED) {
      e.set(b * rowsPerBlock + 1, 3, e.get(b * rowsPerBlock + 1, 3) + 0.25f);
      w.set(b * rowsPerBlock, 0, w.get(b * rowsPerBlock, 0) - 0.5f);
    }
    return TestSnapshots.rebuilt(s, version, s.tokens + 1, s.config, e, w, s.mixture());
  }

  /**
   * Neighbours as the query side computed them on whole matrices: U = word vectors scaled to unit
   * length, c = U U[id] (EJML), best k other than id, &lt;unk&gt; and &lt;/s&gt;.
   */
  static List<WordScore> reference(ModelSnapshot s, int id, int k) {
    FMatrixRMaj u = s.wordVectors();
    int n = u.numCols;
    for (int i = 0; i < u.numRows; i++) {
      double norm = 0;
      for (int j = 0; j < n; j++) norm += (double) u.data[i * n + j] * u.data[i * n + j];
      if (norm == 0) continue;
      float inv = (float) (1 / Math.sqrt(norm));
      for (int j = 0; j < n; j++) u.data[i * n + j] *= inv;
    }
    FMatrixRMaj q = new FMatrixRMaj(n, 1), c = new FMatrixRMaj(u.numRows, 1);
    System.arraycopy(u.data, id * n, q.data, 0, n);
    CommonOps_FDRM.mult(u, q, c);
    List<Integer> ids = new ArrayList<>();
    for (int i = 2; i < u.numRows; i++) if (i != id) ids.add(i);
    ids.sort(Comparator.comparing((Integer i) -> -c.data[i]).thenComparing(i -> i));
    return ids.subList(0, k).stream().map(i -> new WordScore(s.word(i), c.data[i])).toList();
  }
}
