package io.streamvec.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotAssemblerTest {
  private static final int MAX = 400; // small chunks, so a small snapshot spans many

  private static ModelSnapshot snapshot(long version) {
    return TestSnapshots.random(
        20, 4, ModelConfig.Encoder.LBL, version); // the seed doubles as the version
  }

  private static List<byte[]> chunks(ModelSnapshot s) {
    return SnapshotChunks.split(s.version, SnapshotCodec.encode(s), MAX);
  }

  @Test
  void completesOnTheLastChunkOnly() {
    ModelSnapshot s = snapshot(5);
    List<byte[]> c = chunks(s);
    assertTrue(c.size() >= 4);
    SnapshotAssembler a = new SnapshotAssembler();
    for (int i = 0; i < c.size() - 1; i++)
      assertEquals(SnapshotAssembler.Status.PENDING, a.offer(c.get(i)).status());
    assertTrue(a.latest().isEmpty());
    Optional<ModelSnapshot> done = a.accept(c.get(c.size() - 1));
    SnapshotCodecTest.assertSame(s, done.orElseThrow());
    assertTrue(a.latest().orElseThrow().sameModelAs(s));
    assertEquals(0, a.partialCount());
  }

  @Test
  void interleavedVersionsDuplicatesAndOutOfOrderChunks() {
    ModelSnapshot s1 = snapshot(1), s2 = snapshot(2);
    List<byte[]> c1 = chunks(s1), c2 = chunks(s2);
    SnapshotAssembler a = new SnapshotAssembler();
    List<Long> completed = new ArrayList<>();
    // chunk order within a version is irrelevant; every chunk arrives twice (at-least-once)
    for (int i = c1.size() - 1; i >= 0; i--) {
      for (int rep = 0; rep < 2; rep++) {
        a.accept(c1.get(i)).ifPresent(s -> completed.add(s.version));
        if (i < c2.size()) a.accept(c2.get(i)).ifPresent(s -> completed.add(s.version));
      }
    }
    for (int i = c1.size(); i < c2.size(); i++)
      a.accept(c2.get(i)).ifPresent(s -> completed.add(s.version));
    assertEquals(List.of(1L, 2L), completed);
    assertTrue(a.latest().orElseThrow().sameModelAs(s2));
    assertTrue(a.duplicateCount() + a.staleCount() >= c1.size(), "repeats are recognised");
    assertEquals(0, a.rejectedCount());
  }

  @Test
  void olderVersionAfterNewerIsIgnoredAndAMissingChunkNeverCompletes() {
    SnapshotAssembler a = new SnapshotAssembler();
    List<byte[]> c3 = chunks(snapshot(3));
    for (byte[] c : c3) a.accept(c);
    for (byte[] c : chunks(snapshot(2)))
      assertEquals(SnapshotAssembler.Status.STALE, a.offer(c).status());
    List<byte[]> c4 = chunks(snapshot(4));
    for (int i = 0; i < c4.size(); i++) if (i != 1) assertFalse(a.accept(c4.get(i)).isPresent());
    assertEquals(3, a.latest().orElseThrow().version);
    assertEquals(1, a.partialCount());
    assertTrue(a.accept(c4.get(1)).isPresent(), "the missing chunk arrives late");
    assertEquals(4, a.latest().orElseThrow().version);
  }

  /**
   * What a reader of the compacted topic sees after a 3-chunk snapshot was followed by a 2-chunk
   * one.
   */
  @Test
  void compactionLeftoversOfALargerOlderSnapshotAreIgnored() {
    ModelSnapshot big = TestSnapshots.random(30, 4, ModelConfig.Encoder.LBL, 10),
        small = TestSnapshots.random(10, 4, ModelConfig.Encoder.LBL, 11);
    int max = SnapshotCodec.encode(big).length / 3 + 40;
    List<byte[]> c10 = SnapshotChunks.split(10, SnapshotCodec.encode(big), max),
        c11 = SnapshotChunks.split(11, SnapshotCodec.encode(small), max);
    assertTrue(c10.size() > c11.size());
    SnapshotAssembler a = new SnapshotAssembler();
    // compaction keeps, per key modelId/i, the last value, in offset order
    for (int i = c11.size(); i < c10.size(); i++) a.accept(c10.get(i));
    for (byte[] c : c11) a.accept(c);
    assertTrue(a.latest().orElseThrow().sameModelAs(small));
    assertEquals(0, a.partialCount(), "the leftover partial is freed");
  }

  @Test
  void corruptChunksAreCountedAndAGoodCopyStillCompletes() {
    ModelSnapshot s = snapshot(6);
    List<byte[]> c = chunks(s);
    SnapshotAssembler a = new SnapshotAssembler();
    byte[] bad = c.get(2).clone();
    bad[50] ^= 4;
    assertEquals(SnapshotAssembler.Status.REJECTED, a.offer(bad).status());
    assertEquals(SnapshotAssembler.Status.REJECTED, a.offer("not a chunk".getBytes()).status());
    assertEquals(SnapshotAssembler.Status.REJECTED, a.offer(null).status());
    assertEquals(3, a.rejectedCount());
    assertTrue(a.lastRejection().contains("null"), a.lastRejection());
    for (byte[] chunk : c) a.accept(chunk);
    assertTrue(a.latest().orElseThrow().sameModelAs(s));
  }

  @Test
  void aSnapshotWhoseChunksAreValidButWholeIsNotIsRejected() {
    byte[] encoded = SnapshotCodec.encode(snapshot(7));
    encoded[100] ^=
        1; // the whole-snapshot CRC in the headers is computed over this corrupt copy...
    List<byte[]> c = SnapshotChunks.split(7, encoded, MAX);
    SnapshotAssembler a = new SnapshotAssembler();
    for (byte[] chunk : c) a.accept(chunk);
    assertTrue(a.latest().isEmpty(), "...so only the snapshot's own checksum catches it");
    assertEquals(1, a.rejectedCount());
    assertTrue(a.lastRejection().contains("checksum mismatch"), a.lastRejection());

    List<byte[]> wrongVersion = SnapshotChunks.split(8, SnapshotCodec.encode(snapshot(9)), MAX);
    for (byte[] chunk : wrongVersion) a.accept(chunk);
    assertTrue(
        a.lastRejection()
            .contains("chunk headers say snapshot version 8 but the snapshot inside is version 9"),
        a.lastRejection());
    assertTrue(a.latest().isEmpty());
  }

  @Test
  void partialsAreCapped() {
    SnapshotAssembler a = new SnapshotAssembler(3);
    for (long v = 1; v <= 50; v++) a.accept(chunks(snapshot(v)).get(0));
    assertEquals(3, a.partialCount());
    assertEquals(47, a.droppedPartialCount());
    // only the three newest (48..50) are kept: the rest of version 47 cannot complete any more
    List<byte[]> c47 = chunks(snapshot(47));
    for (int i = 1; i < c47.size(); i++)
      assertEquals(SnapshotAssembler.Status.STALE, a.offer(c47.get(i)).status());
    assertTrue(a.latest().isEmpty());
    List<byte[]> c48 = chunks(snapshot(48));
    for (int i = 1; i < c48.size(); i++) a.accept(c48.get(i));
    assertEquals(48, a.latest().orElseThrow().version);
    assertEquals(2, a.partialCount(), "49 and 50 are still waiting");
  }
}
