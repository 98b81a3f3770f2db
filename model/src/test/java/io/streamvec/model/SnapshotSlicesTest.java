package io.streamvec.model;

import static io.streamvec.model.SnapshotDeltaTest.compact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.SnapshotDeltaTest.Rec;
import io.streamvec.model.io.InvalidSnapshotException;
import io.streamvec.model.io.RowEncoding;
import io.streamvec.model.io.SnapshotAssembler;
import io.streamvec.model.io.SnapshotChunks;
import io.streamvec.model.io.SnapshotPublisher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;

/**
 * Snapshot versions written in slices, one transaction each (format 5): after every commit, and
 * after a writer that died between slices and restarted, a reader that follows the topic and a
 * reader that starts late on the compacted topic both hold exactly the newest complete version,
 * compared with the learner's own floats (rounded here, apart from the publisher, for a lossy
 * encoding), never a mix of two versions.
 */
class SnapshotSlicesTest {
  static final int CHUNK = 700; // 4 rows per block at d=16, h=12; manifests span several chunks
  static final int SLICE = 6_000; // ~8 blocks or chunks: a version (manifest ~100 kB) takes ~30

  /** What is committed on the topic, and the state the writer's stores hold with it. */
  private static final class Topic {
    final List<Rec> log = new ArrayList<>();
    final SnapshotAssembler follower = new SnapshotAssembler();
    final List<Rec> open = new ArrayList<>(); // the open transaction
    byte[] stored; // the publisher state committed with the newest complete version

    void commit() {
      log.addAll(open);
      for (Rec r : open) follower.accept(r.value());
      open.clear();
    }

    void abort() {
      open.clear();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = RowEncoding.class,
      names = {"FLOAT32", "INT8"},
      mode = Mode.INCLUDE)
  void everyCommitShowsReadersExactlyTheNewestCompleteVersionAcrossCrashes(RowEncoding encoding) {
    ModelConfig c =
        LearnerRestoreTest.small("lbl", "ns").with("vocab-size", "400").with("candidates", "300");
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(50_000, 700, 23);
    Learner learner = new Learner(c);
    Topic topic = new Topic();
    SnapshotPublisher publisher = new SnapshotPublisher("m", CHUNK, encoding);
    Map<Long, ModelSnapshot> expected = new HashMap<>(); // complete version -> what readers get
    long complete = 0;
    Set<Long> crashedAt = new HashSet<>();
    int at = 0, crashesInBlocks = 0, crashesInManifest = 0, multiSliceVersions = 0;
    for (long version = 1; version <= 20; version++) {
      int n = version % 3 == 0 ? 15 : 1_700; // a short interval leaves rare words' blocks alone
      learner.learn(stream.subList(at, at + n));
      at += n;
      ModelSnapshot s = learner.snapshot(version);
      publisher.begin(s);
      boolean crashed = false;
      for (int slice = 1; publisher.publishing(); slice++) {
        publisher.publishSlice((k, v) -> topic.open.add(new Rec(k, v)), SLICE);
        boolean inManifest = topic.open.stream().anyMatch(r -> r.key().startsWith("m/m."));
        if (publisher.publishing()
            && !crashedAt.contains(version)
            && ((Set.of(5L, 14L).contains(version) && slice == 2)
                || (Set.of(8L, 17L).contains(version) && inManifest))) {
          crashedAt.add(version);
          // the writer dies before this slice commits; it restarts with what its stores hold
          topic.abort();
          publisher = new SnapshotPublisher("m", CHUNK, encoding);
          publisher.restoreState(topic.stored);
          if (inManifest) crashesInManifest++;
          else crashesInBlocks++;
          crashed = true;
        } else topic.commit();
        if (slice == 2) multiSliceVersions++;
        if (!crashed && !publisher.publishing()) {
          complete = version;
          expected.put(version, rounded(s, encoding));
          topic.stored = publisher.state();
        }
        if (complete > 0) {
          assertExactly(expected.get(complete), topic.follower.latest().orElseThrow());
          // a late reader every few slices (it reads the whole topic), and where it matters most
          if (crashed || inManifest || !publisher.publishing() || slice % 5 == 1)
            assertExactly(expected.get(complete), lateReader(compact(topic.log)));
        }
        if (crashed) break;
      }
      if (crashed) version--; // the restarted writer publishes that version number again
    }
    assertTrue(
        learner.vocabulary().evictions() > 100, "evictions " + learner.vocabulary().evictions());
    assertTrue(multiSliceVersions >= 18, "versions in several slices: " + multiSliceVersions);
    assertEquals(2, crashesInBlocks, "crashes while blocks were being written");
    assertEquals(2, crashesInManifest, "crashes while the manifest was being written");
    assertEquals(0, topic.follower.rejectedCount(), topic.follower.lastRejection());
    SnapshotAssembler fromStart = new SnapshotAssembler();
    for (Rec r : topic.log) fromStart.accept(r.value());
    assertExactly(expected.get(20L), fromStart.latest().orElseThrow());
  }

  @Test
  void aLateReaderGetsThePreviousVersionWhenTheNewestWasAbandonedHalfWritten() {
    ModelConfig c = LearnerRestoreTest.small("bengio", "ns").with("vocab-size", "200");
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(12_000, 400, 3);
    Learner learner = new Learner(c);
    Topic topic = new Topic();
    SnapshotPublisher publisher = new SnapshotPublisher("m", CHUNK);
    ModelSnapshot v2 = null;
    for (long version = 1; version <= 2; version++) {
      learner.learn(stream.subList((int) (version - 1) * 3_000, (int) version * 3_000));
      v2 = learner.snapshot(version);
      publisher.publish(v2, (k, v) -> topic.open.add(new Rec(k, v)));
      topic.commit();
      topic.stored = publisher.state();
    }
    learner.learn(stream.subList(6_000, 9_000));
    ModelSnapshot v3 = learner.snapshot(3);
    publisher.begin(v3);
    // every block of version 3 and part of its manifest committed, then the writer is gone
    boolean[] manifestSent = {false};
    while (!manifestSent[0])
      publisher.publishSlice(
          (k, v) -> {
            topic.open.add(new Rec(k, v));
            topic.commit();
            manifestSent[0] = k.startsWith("m/m.");
          },
          1);
    assertTrue(publisher.publishing(), "the manifest spans several chunks: some are not sent");
    List<Rec> compacted = compact(topic.log);
    assertTrue(
        compacted.stream().filter(r -> versionOf(r) == 3).count() > publisher.blockCount() / 2,
        "version 3's blocks sit beside version 2's on the compacted topic: "
            + compacted.stream().filter(r -> versionOf(r) == 3).count()
            + " of "
            + publisher.blockCount());
    assertExactly(v2, lateReader(compacted));
    assertExactly(v2, topic.follower.latest().orElseThrow());
    // a topic of two partitions keeps no order between them: read one, then the other
    for (int first = 0; first < 2; first++) {
      List<Rec> byPartition = new ArrayList<>();
      for (int p : new int[] {first, 1 - first})
        for (Rec r : compacted) if (Math.floorMod(r.key().hashCode(), 2) == p) byPartition.add(r);
      assertExactly(v2, lateReader(byPartition));
    }

    SnapshotPublisher restarted = new SnapshotPublisher("m", CHUNK);
    restarted.restoreState(topic.stored);
    learner.learn(stream.subList(9_000, 10_000));
    ModelSnapshot again = learner.snapshot(3); // the restarted app takes version 3 anew
    restarted.publish(again, (k, v) -> topic.open.add(new Rec(k, v)));
    topic.commit();
    assertExactly(again, lateReader(compact(topic.log)));
    assertExactly(again, topic.follower.latest().orElseThrow());
  }

  private static long versionOf(Rec r) {
    try {
      return SnapshotChunks.parse(r.value()).snapshotVersion();
    } catch (InvalidSnapshotException e) {
      throw new AssertionError(e);
    }
  }

  /** s as a reader of the encoding gets it: every E and W row rounded on its own. */
  static ModelSnapshot rounded(ModelSnapshot s, RowEncoding encoding) {
    FMatrixRMaj e = s.embeddings().copy(), w = s.outputWeights().copy();
    encoding.roundTrip(e.data, 0, e.numRows, e.numCols);
    encoding.roundTrip(w.data, 0, w.numRows, w.numCols);
    return s.withRows(e, w);
  }

  /** The newest complete model a reader of topic gets, reading it from the start once. */
  static ModelSnapshot lateReader(List<Rec> topic) {
    SnapshotAssembler a = new SnapshotAssembler();
    for (Rec r : topic) a.accept(r.value());
    assertEquals(0, a.rejectedCount(), a.lastRejection());
    assertFalse(a.latest().isEmpty(), "no complete version on the compacted topic");
    return a.latest().get();
  }

  static void assertExactly(ModelSnapshot expected, ModelSnapshot actual) {
    SnapshotDeltaTest.assertExactly(expected, actual);
  }
}
