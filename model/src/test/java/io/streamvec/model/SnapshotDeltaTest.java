package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.io.RowEncoding;
import io.streamvec.model.io.SnapshotAssembler;
import io.streamvec.model.io.SnapshotBlocks;
import io.streamvec.model.io.SnapshotCodec;
import io.streamvec.model.io.SnapshotPublisher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The publisher's delta snapshots (changed row blocks and a manifest) against a learner: they
 * reassemble to exactly the model (every float, compared through the version-1 encoding of both),
 * across many versions with evictions and re-admissions, for a reader that follows the topic and
 * for one that starts late on the compacted topic.
 */
class SnapshotDeltaTest {
  record Rec(String key, byte[] value) {}

  static final int CHUNK = 700; // 4 rows per block at d=16, h=12; manifests span several chunks

  /**
   * float32 reassembles to the model itself; the other encodings to what the publisher serves (its
   * rows through the encoding), within the encoding's error of the model.
   */
  @ParameterizedTest
  @EnumSource(RowEncoding.class)
  void deltasReassembleToExactlyTheModel(RowEncoding encoding) {
    ModelConfig c =
        LearnerRestoreTest.small("lbl", "ns").with("vocab-size", "400").with("candidates", "300");
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(40_000, 700, 17);
    Learner learner = new Learner(c);
    SnapshotPublisher publisher = new SnapshotPublisher("m", CHUNK, encoding);
    List<Rec> log = new ArrayList<>();
    SnapshotAssembler follower = new SnapshotAssembler();
    int partialVersions = 0;
    ModelSnapshot last = null;
    int at = 0;
    for (int version = 1; version <= 40; version++) {
      // long and short intervals: a short one leaves the blocks of rare words unchanged
      int n = version % 2 == 0 ? 10 : 1_900;
      learner.learn(stream.subList(at, at + n));
      at += n;
      ModelSnapshot s = learner.snapshot(version);
      publisher.publish(
          s,
          (key, value) -> {
            log.add(new Rec(key, value));
            follower.accept(value);
          });
      if (publisher.lastBlocks() < publisher.blockCount()) partialVersions++;
      ModelSnapshot served = publisher.asPublished(s);
      assertExactly(served, follower.latest().orElseThrow());
      if (version % 10 == 0) assertExactly(served, lateReader(compact(log)));
      if (encoding != RowEncoding.FLOAT32) assertLossyWithinBounds(encoding, s, served);
      last = served;
    }
    assertTrue(
        learner.vocabulary().evictions() > 100, "evictions " + learner.vocabulary().evictions());
    assertTrue(
        partialVersions >= 15, "versions that sent only part of the blocks: " + partialVersions);
    assertEquals(0, follower.rejectedCount());
    // the whole log from the start, and from the compacted topic, give the same newest model
    SnapshotAssembler fromStart = new SnapshotAssembler();
    for (Rec r : log) fromStart.accept(r.value());
    assertExactly(last, fromStart.latest().orElseThrow());
  }

  @Test
  void aRestartedPublisherRepublishesEverythingAndReadersFollow() {
    ModelConfig c = LearnerRestoreTest.small("bengio", "ns").with("vocab-size", "200");
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(12_000, 400, 3);
    Learner learner = new Learner(c);
    List<Rec> log = new ArrayList<>();
    SnapshotPublisher first = new SnapshotPublisher("m", 2_000);
    for (int version = 1; version <= 6; version++) {
      learner.learn(stream.subList((version - 1) * 1_000, version * 1_000));
      first.publish(learner.snapshot(version), (k, v) -> log.add(new Rec(k, v)));
    }
    SnapshotPublisher restarted = new SnapshotPublisher("m", 2_000);
    restarted.restoreState(first.state()); // what the app's stores hand back
    ModelSnapshot s = null;
    for (int version = 7; version <= 12; version++) {
      learner.learn(stream.subList((version - 1) * 1_000, version * 1_000));
      s = learner.snapshot(version);
      restarted.publish(s, (k, v) -> log.add(new Rec(k, v)));
      if (version == 7) assertEquals(restarted.blockCount(), restarted.lastBlocks());
    }
    assertExactly(s, lateReader(compact(log)));
  }

  @Test
  void unknownFormatVersionsAreRejected() {
    Learner learner = new Learner(LearnerRestoreTest.small("lbl", "ns"));
    learner.learn(LearnerRestoreTest.SyntheticText.zipfStream(2_000, 100, 1));
    ModelSnapshot s = learner.snapshot(1);
    byte[] block = SnapshotBlocks.encodeBlock(s, 1, 0, 0, 8, RowEncoding.FLOAT32);
    int b = SnapshotBlocks.blockCount(s.size(), 8);
    byte[] manifest = SnapshotBlocks.encodeManifest(s, 8, new long[b], new int[b], new int[b]);
    for (byte[] payload : List.of(block, manifest)) {
      payload[7] = 9; // format version 9
      SnapshotAssembler a = new SnapshotAssembler();
      for (byte[] chunk : io.streamvec.model.io.SnapshotChunks.split(1, payload)) a.accept(chunk);
      assertEquals(1, a.rejectedCount());
      assertTrue(a.lastRejection().contains("version 9"), a.lastRejection());
    }
  }

  /** The rows moved by less than the encoding's error; a block is much smaller on the wire. */
  static void assertLossyWithinBounds(RowEncoding encoding, ModelSnapshot s, ModelSnapshot served) {
    float maxAbs = 0, maxErr = 0;
    for (int i = 0; i < s.embeddings().data.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(s.embeddings().data[i]));
      maxErr = Math.max(maxErr, Math.abs(s.embeddings().data[i] - served.embeddings().data[i]));
    }
    assertTrue(maxErr > 0 && maxErr <= maxAbs / 200, encoding + " error " + maxErr);
    double ratio =
        (double) SnapshotBlocks.encodeBlock(s, 1, 0, 0, 64, encoding).length
            / SnapshotBlocks.encodeBlock(s, 1, 0, 0, 64, RowEncoding.FLOAT32).length;
    assertTrue(ratio < (encoding == RowEncoding.INT8 ? 0.4 : 0.6), encoding + " " + ratio);
  }

  static ModelSnapshot lateReader(List<Rec> topic) {
    SnapshotAssembler a = new SnapshotAssembler();
    for (Rec r : topic) a.accept(r.value());
    assertEquals(0, a.partialCount(), "a complete topic leaves nothing waiting");
    return a.latest().orElseThrow();
  }

  /** What log compaction leaves: the newest record per key, in offset order. */
  static List<Rec> compact(List<Rec> log) {
    Map<String, Integer> newest = new LinkedHashMap<>();
    for (int i = 0; i < log.size(); i++) newest.put(log.get(i).key(), i);
    List<Rec> out = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) if (newest.get(log.get(i).key()) == i) out.add(log.get(i));
    return out;
  }

  static void assertExactly(ModelSnapshot expected, ModelSnapshot actual) {
    assertEquals(expected.version, actual.version);
    assertTrue(expected.sameModelAs(actual), "model differs at version " + expected.version);
    assertArrayEquals(SnapshotCodec.encode(expected), SnapshotCodec.encode(actual));
  }
}
