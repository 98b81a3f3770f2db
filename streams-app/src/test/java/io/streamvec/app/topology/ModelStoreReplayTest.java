package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.model.Learner;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The replay log in batches: what a restore reads back is exactly the lines after the checkpoint,
 * whatever the batch borders.
 */
class ModelStoreReplayTest {
  private final KeyValueStore<Integer, byte[]> rows =
      store("rows", Serdes.Integer(), Serdes.ByteArray());
  private final KeyValueStore<String, byte[]> global =
      store("global", Serdes.String(), Serdes.ByteArray());
  // deferred as in the app: the open batch goes in at a commit, or before the store is read
  private final DeferredPutStore<Long> replay =
      new DeferredPutStore<>(store("replay", Serdes.Long(), Serdes.ByteArray()));
  private final Learner learner = new Learner(AppConfig.of(TestTexts.smallModel()).model());

  private static <K, V> KeyValueStore<K, V> store(
      String name,
      org.apache.kafka.common.serialization.Serde<K> k,
      org.apache.kafka.common.serialization.Serde<V> v) {
    KeyValueStore<K, V> s =
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), k, v)
            .withLoggingDisabled()
            .build();
    s.init(new MockProcessorContext<>().getStateStoreContext(), s);
    return s;
  }

  private ModelStore reopened() {
    ModelStore s = new ModelStore(rows, global, replay);
    s.restore();
    return s;
  }

  @Test
  void restoreReadsBackExactlyTheLinesAfterEachCheckpointWhereverItFalls() {
    ModelStore store = new ModelStore(rows, global, replay);
    List<String> all = new ArrayList<>();
    long checkpoint = 0;
    // checkpoints inside, at the end of and far from batch borders; a long line closes a batch
    // early
    long[] checkpoints = {10, 64, 65, 200, 201, 330};
    int c = 0;
    for (long seq = 1; seq <= 400; seq++) {
      String line =
          seq % 97 == 0 ? "long ".repeat(ModelStore.BATCH_BYTES / 5) + seq : "line number " + seq;
      store.append(seq, TokenLine.parse(line));
      all.add(line);
      if (c < checkpoints.length && seq == checkpoints[c]) {
        store.write(ModelStore.capture(learner, seq));
        checkpoint = seq;
        c++;
      }
      if (seq % 13 == 0 || seq == 400) {
        ModelStore again = reopened();
        assertEquals(checkpoint, again.meta().checkpointRecords());
        assertEquals(
            all.subList((int) checkpoint, (int) seq),
            again.restore().replayLines(),
            "after record " + seq);
      }
    }
    assertTrue(
        replay.approximateNumEntries() < 70 / 64 + 1 + 400 / 97 + 2,
        "batches, not a record per line: " + replay.approximateNumEntries());
  }

  @Test
  void aRestoredStoreGoesOnAppendingAndCheckpointingConsistently() {
    ModelStore store = new ModelStore(rows, global, replay);
    for (long seq = 1; seq <= 50; seq++) store.append(seq, TokenLine.parse("a " + seq));
    store.write(ModelStore.capture(learner, 30));
    ModelStore again = reopened();
    assertEquals(20, again.restore().replayLines().size());
    for (long seq = 51; seq <= 150; seq++) again.append(seq, TokenLine.parse("b " + seq));
    again.write(ModelStore.capture(learner, 120));
    List<String> expected = new ArrayList<>();
    for (long seq = 121; seq <= 150; seq++) expected.add("b " + seq);
    assertEquals(expected, reopened().restore().replayLines());
  }

  @Test
  void nonAsciiLinesComeBackExactlyAndBatchesStayUnderTheByteLimit() {
    ModelStore store = new ModelStore(rows, global, replay);
    List<String> all = new ArrayList<>();
    for (long seq = 1; seq <= 300; seq++) {
      String line =
          seq % 50 == 0
              ? "東京 ".repeat(ModelStore.BATCH_BYTES / 8) + seq
              : "naïve café 東京 😀 " + seq; // 3-byte chars: under 64k chars, over 64 kB
      all.add(line);
      store.append(seq, TokenLine.parse(line));
    }
    assertEquals(all, reopened().restore().replayLines());
    try (var it = replay.all()) {
      while (it.hasNext()) {
        var e = it.next();
        int lines =
            new String(e.value, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1).length;
        assertTrue(
            e.value.length <= ModelStore.BATCH_BYTES || lines == 1,
            "batch " + e.key + ": " + e.value.length + " bytes in " + lines + " lines");
      }
    }
  }

  @Test
  void stateWrittenAsStringsByEarlierBuildsReadsTheSame() {
    // earlier builds stored the batch as a String (UTF-8 through the String serde): the same bytes
    replay.put(1L, "old one\nold twö".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    replay.put(3L, "old three".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(List.of("old one", "old twö", "old three"), reopened().restore().replayLines());
  }
}
