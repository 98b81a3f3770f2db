package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.model.Learner;
import io.streamvec.model.LearnerState;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.text.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints written in slices over several commits. The stores' contents after each slice are
 * what a commit leaves; a crash there restores from them. Every such crash must give, after the
 * replay and the rest of the stream, the learner an uninterrupted run gives: compared as the
 * complete checkpoint file ({@link LearnerState#writeCheckpoint}: every parameter, accumulator,
 * counter and the RNG), byte for byte.
 */
class SlicedCheckpointTest {
  private static final int SLICE = 2_000; // bytes: ~13 rows of the small model
  private final ModelConfig config = AppConfig.of(TestTexts.smallModel()).model();
  private final List<String> lines = tokenLines(TestTexts.generated(30_000, 11));

  /** What a commit leaves in the three stores. */
  private record Committed(
      Map<Integer, byte[]> rows, Map<String, byte[]> global, TreeMap<Long, byte[]> replay) {}

  /** Three in-memory stores, like the logged ones after a changelog restore. */
  private static final class Stores3 {
    final KeyValueStore<Integer, byte[]> rows = store("rows", Serdes.Integer());
    final KeyValueStore<String, byte[]> global = store("global", Serdes.String());
    // the replay log's open batch goes in when a commit flushes the caches, as in the app
    final DeferredPutStore<Long> replay = new DeferredPutStore<>(store("replay", Serdes.Long()));

    Stores3() {}

    Stores3(Committed c) {
      c.rows().forEach(rows::put);
      c.global().forEach(global::put);
      c.replay().forEach(replay::put);
    }

    Committed commit() {
      replay.flushCache();
      return new Committed(all(rows), all(global), new TreeMap<>(all(replay.wrapped())));
    }

    ModelStore modelStore() {
      return new ModelStore(rows, global, replay);
    }
  }

  @Test
  void aCrashAfterAnySliceRestoresToTheUninterruptedLearner() throws IOException {
    byte[] expected = checkpointFile(learnAll(new Learner(config), lines));
    Stores3 s = new Stores3();
    ModelStore store = s.modelStore();
    Learner learner = new Learner(config);
    List<Committed> commits = new ArrayList<>();
    List<Integer> learnedAt = new ArrayList<>(); // lines learned at each commit
    int first = 400, second = 1_500; // checkpoints: one of the empty state, one over the first
    int slices = 0;
    for (int seq = 1; seq <= lines.size(); seq++) {
      store.append(seq, TokenLine.parse(lines.get(seq - 1)));
      learner.learn(List.of(lines.get(seq - 1).split(" ")));
      if (seq == first || seq == second) store.begin(ModelStore.capture(learner, seq));
      if (store.writing()) {
        store.writeSlice(SLICE); // one slice per record here: lines keep coming in between
        slices++;
        if (!store.writing()) assertNoRowTaggedAfterTheCheckpoint(s, store.meta());
      }
      // every commit inside a checkpoint's writing, and a few between them
      if (store.writing() || seq % 250 == 0) {
        commits.add(s.commit());
        learnedAt.add(seq);
      }
    }
    assertEquals(second, store.meta().checkpointRecords());
    assertTrue(slices > 10, "the checkpoints took many slices: " + slices);
    for (int k = 0; k < commits.size(); k++) {
      Learner restored = restoreAndContinue(commits.get(k), learnedAt.get(k));
      assertArrayEquals(expected, checkpointFile(restored), "crash after commit " + k);
    }
  }

  @Test
  void rowsOfACheckpointACrashLeftIncompleteAreIgnoredAndDeletedBeforeTheNextCompletes()
      throws IOException {
    Stores3 s = new Stores3();
    ModelStore store = s.modelStore();
    Learner learner = new Learner(config);
    for (int seq = 1; seq <= 1_200; seq++) {
      store.append(seq, TokenLine.parse(lines.get(seq - 1)));
      learner.learn(List.of(lines.get(seq - 1).split(" ")));
      if (seq == 300) store.write(ModelStore.capture(learner, seq));
    }
    writeAllRowsButNotTheEnd(store, ModelStore.capture(learner, 1_200)); // then a crash
    Stores3 after = new Stores3(s.commit());
    ModelStore reopened = after.modelStore();
    ModelStateReader.Restored restored = reopened.restore();
    assertEquals(300, restored.meta().checkpointRecords());
    assertEquals(900, restored.replayLines().size());
    assertFalse(restored.staleRows().isEmpty(), "the incomplete checkpoint's rows are found");
    // the restarted app checkpoints before the lost one's record: none of its rows may come back
    Learner again = restored.learner();
    for (String line : restored.replayLines().subList(0, 400))
      again.learn(List.of(line.split(" ")));
    reopened.begin(ModelStore.capture(again, 700));
    while (reopened.writing()) reopened.writeSlice(SLICE);
    assertNoRowTaggedAfterTheCheckpoint(after, reopened.meta());
    learnAll(again, lines.subList(700, 1_200));
    Learner back = continueFrom(new Stores3(after.commit()), 1_200);
    assertArrayEquals(checkpointFile(again), checkpointFile(back));
  }

  @Test
  void anEarlierCheckpointAfterACrashLeavesNoneOfTheLostOnesRows() {
    Stores3 s = new Stores3();
    ModelStore store = s.modelStore();
    Learner learner = new Learner(config);
    for (int seq = 1; seq <= 1_000; seq++) {
      store.append(seq, TokenLine.parse(lines.get(seq - 1)));
      learner.learn(List.of(lines.get(seq - 1).split(" ")));
    }
    writeAllRowsButNotTheEnd(store, ModelStore.capture(learner, 1_000)); // then a crash
    Stores3 after = new Stores3(s.commit());
    ModelStore reopened = after.modelStore();
    ModelStateReader.Restored restored = reopened.restore();
    assertEquals(null, restored.learner(), "no complete checkpoint yet");
    Learner again = new Learner(config);
    for (int seq = 1; seq <= 200; seq++) again.learn(List.of(lines.get(seq - 1).split(" ")));
    reopened.begin(ModelStore.capture(again, 200)); // far fewer rows than the lost one wrote
    while (reopened.writing()) reopened.writeSlice(SLICE);
    assertNoRowTaggedAfterTheCheckpoint(after, reopened.meta());
  }

  @Test
  void stateOfTheUnslicedLayoutRestoresAndTakesSlicedCheckpoints() throws IOException {
    // meta version 1, rows untagged under their index, global in pieces g/i: what earlier builds
    // wrote, built here from the documented layout
    Learner old = learnAll(new Learner(config), lines.subList(0, 800));
    Stores3 s = new Stores3();
    int words = old.vocabulary().size();
    for (int r = 0; r < words; r++) s.rows.put(r, LearnerState.row(old, r));
    byte[] g = LearnerState.global(old);
    int pieces = (g.length + ModelStore.PIECE_BYTES - 1) / ModelStore.PIECE_BYTES;
    for (int i = 0; i < pieces; i++)
      s.global.put(
          "g/" + i,
          java.util.Arrays.copyOfRange(
              g, i * ModelStore.PIECE_BYTES, Math.min(g.length, (i + 1) * ModelStore.PIECE_BYTES)));
    s.global.put(
        "meta",
        ByteBuffer.allocate(32)
            .putInt(1)
            .putInt(pieces)
            .putLong(800)
            .putLong(4)
            .putLong(9)
            .array());
    for (int seq = 801; seq <= 900; seq++) s.replay.put((long) seq, lines.get(seq - 1).getBytes());

    ModelStore store = s.modelStore();
    ModelStateReader.Restored restored = store.restore();
    assertEquals(4, restored.meta().snapshotVersion());
    Learner learner = restored.learner();
    assertNotNull(learner);
    assertArrayEquals(checkpointFile(old), checkpointFile(learner), "version 1 state restores");
    for (String line : restored.replayLines()) learner.learn(List.of(line.split(" ")));
    for (int seq = 901; seq <= 2_000; seq++) {
      store.append(seq, TokenLine.parse(lines.get(seq - 1)));
      learner.learn(List.of(lines.get(seq - 1).split(" ")));
    }
    store.begin(ModelStore.capture(learner, 2_000));
    store.writeSlice(SLICE); // a slice, then a crash: the version 1 checkpoint is still whole
    Learner afterCrash = continueFrom(new Stores3(s.commit()), 2_000);
    assertArrayEquals(checkpointFile(learner), checkpointFile(afterCrash));
    while (store.writing()) store.writeSlice(SLICE);
    assertEquals(2_000, store.meta().checkpointRecords());
    assertArrayEquals(
        checkpointFile(learner),
        checkpointFile(new Stores3(s.commit()).modelStore().restore().learner()));
  }

  /**
   * Writes every row of image, not its global part: rows of words admitted late in the stream are
   * then stored, which an earlier checkpoint after a restart does not overwrite.
   */
  private static void writeAllRowsButNotTheEnd(ModelStore store, ModelStore.CheckpointImage image) {
    long rowBytes = 0;
    for (byte[] row : image.rowBytes()) rowBytes += row.length;
    store.begin(image);
    store.writeSlice(rowBytes);
    assertTrue(store.writing());
  }

  /** Restores from a commit, replays, and learns the stream from record learned + 1 on. */
  private Learner restoreAndContinue(Committed committed, int learned) {
    Learner l = continueFrom(new Stores3(committed), learned);
    return learnAll(l, lines.subList(learned, lines.size()));
  }

  /** The learner a restart has after the replay, checked to be at record learned. */
  private Learner continueFrom(Stores3 stores, int learned) {
    ModelStateReader.Restored r = stores.modelStore().restore();
    Learner l = r.learner() == null ? new Learner(config) : r.learner();
    for (String line : r.replayLines()) l.learn(List.of(line.split(" ")));
    assertEquals(learned, r.meta().checkpointRecords() + r.replayLines().size());
    return l;
  }

  /** The invariant that makes the slots safe: nothing stored is newer than the checkpoint. */
  private static void assertNoRowTaggedAfterTheCheckpoint(Stores3 s, ModelStateReader.Meta meta) {
    for (Map.Entry<Integer, byte[]> e : all(s.rows).entrySet()) {
      byte[] v = e.getValue();
      long tag = ByteBuffer.wrap(v, v.length - Long.BYTES, Long.BYTES).getLong();
      assertTrue(
          tag <= meta.checkpointRecords(),
          "row key " + e.getKey() + " tagged " + tag + " after " + meta.checkpointRecords());
    }
  }

  private static Learner learnAll(Learner l, List<String> part) {
    for (String line : part) l.learn(List.of(line.split(" ")));
    return l;
  }

  private static byte[] checkpointFile(Learner l) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(l, out);
    return out.toByteArray();
  }

  private static List<String> tokenLines(List<String> texts) {
    Tokenizer t = new Tokenizer(100_000);
    List<String> out = new ArrayList<>();
    for (String text : texts) out.add(String.join(" ", t.tokenize(text)));
    return out;
  }

  private static <K> Map<K, byte[]> all(KeyValueStore<K, byte[]> store) {
    Map<K, byte[]> m = new HashMap<>();
    try (KeyValueIterator<K, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<K, byte[]> e = it.next();
        m.put(e.key, e.value);
      }
    }
    return m;
  }

  private static <K> KeyValueStore<K, byte[]> store(String name, Serde<K> keys) {
    KeyValueStore<K, byte[]> s =
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    s.init(new MockProcessorContext<>().getStateStoreContext(), s);
    return s;
  }
}
