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

  private String refusal() {
    return assertThrows(ModelStateException.class, () -> ModelStateReader.read(state()))
        .getMessage();
  }
}
