package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the restore makes of hand-built store contents: "meta" without a checkpoint is a new model
 * plus the whole log; every refusal names the record at fault and what to do. The records are
 * written here byte by byte after the documented layout, not by {@link ModelStore}.
 */
class ModelStateReaderTest {
  private final Map<String, byte[]> global = new HashMap<>();
  private final Map<Integer, byte[]> rows = new HashMap<>();
  private final TreeMap<Long, byte[]> replay = new TreeMap<>();

  private StoredState state() {
    return StoredState.of(global, rows, replay, (store, key) -> "[" + store + " " + key + "]");
  }

  /** meta v1: int version, int pieces, long checkpointRecords, snapshotVersion, snapshotTokens. */
  private static byte[] meta(int version, int pieces, long records, long snapshot, long tokens) {
    return ByteBuffer.allocate(32)
        .putInt(version)
        .putInt(pieces)
        .putLong(records)
        .putLong(snapshot)
        .putLong(tokens)
        .array();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSnapshotWithoutACheckpointRestoresAsANewLearnerAndTheWholeLog() {
    global.put("meta", meta(1, 0, 0, 3, 40));
    replay.put(1L, utf8("a b c\nd e"));
    replay.put(3L, utf8("f g"));
    ModelStateReader.Restored r = ModelStateReader.read(state());
    assertNull(r.learner(), "no checkpoint: the caller starts a new learner");
    assertEquals(3, r.meta().snapshotVersion(), "the published versions are remembered");
    assertEquals(List.of("a b c", "d e", "f g"), r.replayLines());
  }

  @Test
  void nothingStoredIsANewModel() {
    ModelStateReader.Restored r = ModelStateReader.read(state());
    assertNull(r.learner());
    assertEquals(ModelStateReader.Meta.EMPTY, r.meta());
    assertTrue(r.replayLines().isEmpty());
  }

  @Test
  void anUnknownMetaVersionNamesTheRecordAndWhatToDo() {
    global.put("meta", meta(9, 0, 0, 0, 0));
    String m = refusal();
    assertTrue(m.contains("[model-global meta] has version 9"), m);
    assertTrue(m.contains("--check-state") && m.contains("snapshot export"), m);
  }

  @Test
  void aMissingGlobalPieceIsNamed() {
    global.put("meta", meta(1, 2, 10, 0, 0));
    global.put("g/0", new byte[] {0, 0, 0, 1});
    assertTrue(refusal().contains("[model-global g/1] is missing (piece 1 of the 2"), refusal());
  }

  @Test
  void metaClaimingRecordsWithoutACheckpointIsRefused() {
    global.put("meta", meta(1, 0, 5, 0, 0));
    assertTrue(refusal().contains("says no checkpoint was written but 5 records were"));
  }

  @Test
  void aGapAfterTheCheckpointNamesTheBatch() {
    global.put("meta", meta(1, 0, 0, 0, 0));
    replay.put(1L, utf8("one\ntwo"));
    replay.put(5L, utf8("five"));
    String m = refusal();
    assertTrue(m.contains("[replay-log 5] starts at record 5 but record 3"), m);
  }

  @Test
  void aTruncatedMetaIsNamed() {
    global.put("meta", new byte[] {0, 0, 0, 1, 0});
    assertTrue(refusal().contains("[model-global meta] is truncated (5 bytes)"), refusal());
  }

  /** meta v2: int version, pieces, slot, long records, snapshot, tokens, int rowBound, other. */
  private static byte[] meta2(int pieces, int slot, long records, int rowBound) {
    return ByteBuffer.allocate(44)
        .putInt(2)
        .putInt(pieces)
        .putInt(slot)
        .putLong(records)
        .putLong(0)
        .putLong(0)
        .putInt(rowBound)
        .putInt(0)
        .array();
  }

  /**
   * A checkpoint of a learner that saw a few lines, in global slot 1, rows as the test puts them.
   */
  private io.streamvec.model.Learner checkpointInSlot1(long records) {
    io.streamvec.model.Learner l =
        new io.streamvec.model.Learner(
            io.streamvec.app.config.AppConfig.of(io.streamvec.app.TestTexts.smallModel()).model());
    for (int i = 0; i < 30; i++) l.learn(List.of("a", "b", "c", "a", "d", "</s>"));
    global.put("meta", meta2(1, 1, records, l.vocabulary().size()));
    global.put("g1/0", io.streamvec.model.LearnerState.global(l));
    return l;
  }

  private static byte[] tagged(byte[] row, long tag) {
    return ByteBuffer.allocate(row.length + 8).put(row).putLong(tag).array();
  }

  @Test
  void eachRowComesFromTheSlotOfTheNewestCheckpointNotAfterTheCompleteOne() {
    io.streamvec.model.Learner l = checkpointInSlot1(50);
    int words = l.vocabulary().size();
    for (int r = 0; r < words; r++) {
      byte[] row = io.streamvec.model.LearnerState.row(l, r);
      byte[] other = new byte[row.length]; // zeros: a different, older or newer value
      if (r % 2 == 0) { // the value in slot 0 (key r), an older one in slot 1, a newer one lost
        rows.put(r, tagged(row, 50));
        rows.put(~r, tagged(other, 20));
      } else { // the value in slot 1, a lost (incomplete) checkpoint's in slot 0
        rows.put(~r, tagged(row, 40));
        rows.put(r, tagged(other, 90));
      }
    }
    ModelStateReader.Restored r = ModelStateReader.read(state());
    for (int i = 0; i < words; i++)
      assertTrue(
          java.util.Arrays.equals(
              io.streamvec.model.LearnerState.row(l, i),
              io.streamvec.model.LearnerState.row(r.learner(), i)),
          "row " + i);
    assertEquals(words / 2, r.staleRows().size(), "the lost values of the odd rows");
    assertTrue(r.staleRows().stream().allMatch(k -> k >= 0 && k % 2 == 1), "" + r.staleRows());
    assertEquals(words / 2, r.inSlot1().cardinality());
  }

  @Test
  void aRowOfAnotherSizeIsNamedWithTheSizesExpected() {
    io.streamvec.model.Learner l = checkpointInSlot1(50);
    int rb = io.streamvec.model.LearnerState.rowBytes(l.config());
    for (int r = 0; r < l.vocabulary().size(); r++)
      rows.put(r, tagged(io.streamvec.model.LearnerState.row(l, r), 50));
    rows.put(~1, new byte[rb + 3]);
    String m = refusal();
    assertTrue(m.contains("is " + (rb + 3) + " bytes; a row of this model is " + rb), m);
  }

  @Test
  void twoSlotsOfOneRowWithTheSameCheckpointAreRefused() {
    io.streamvec.model.Learner l = checkpointInSlot1(50);
    for (int r = 0; r < l.vocabulary().size(); r++)
      rows.put(r, tagged(io.streamvec.model.LearnerState.row(l, r), 50));
    rows.put(~2, tagged(io.streamvec.model.LearnerState.row(l, 2), 50));
    assertTrue(
        refusal().contains("[model-rows -3] has the same checkpoint tag (50) as the other slot"),
        refusal());
  }

  @Test
  void aMetaWithAGlobalSlotOtherThanZeroOrOneIsRefused() {
    global.put("meta", meta2(1, 2, 10, 0));
    assertTrue(refusal().contains("[model-global meta] holds Meta["), refusal());
  }

  private String refusal() {
    return assertThrows(ModelStateException.class, () -> ModelStateReader.read(state()))
        .getMessage();
  }
}
