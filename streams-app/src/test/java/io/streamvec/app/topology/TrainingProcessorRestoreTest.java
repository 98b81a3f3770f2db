package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotAssembler;
import io.streamvec.model.query.CompactSnapshot;
import io.streamvec.model.query.CompactSnapshotFormat;
import io.streamvec.model.text.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The training processor's recovery, driven by hand: a processor trains and checkpoints into
 * stores, "crashes", and a new processor is initialised on the same stores (what Kafka Streams
 * restores from the changelog). It must continue exactly like an uninterrupted learner.
 */
class TrainingProcessorRestoreTest {
  private static final int CHECKPOINT_EVERY = 37;
  private final AppConfig config;
  private final TrainerSettings
      settings; // learning on the stream thread: when checkpoints land is exact
  private final TrainerSettings threaded; // learning on the learner thread
  private final List<String> lines = tokenLines(TestTexts.generated(12_000, 3));
  private final KeyValueStore<Integer, byte[]> rows =
      store(StreamvecTopology.ROWS_STORE, Serdes.Integer(), Serdes.ByteArray());
  private final KeyValueStore<String, byte[]> global =
      store(StreamvecTopology.GLOBAL_STORE, Serdes.String(), Serdes.ByteArray());
  private final KeyValueStore<Long, byte[]> replay =
      store(StreamvecTopology.REPLAY_STORE, Serdes.Long(), Serdes.ByteArray());

  private final KeyValueStore<String, byte[]> shared =
      store(StreamvecTopology.MODELS_STORE, Serdes.String(), Serdes.ByteArray());

  TrainingProcessorRestoreTest() {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, String.valueOf(CHECKPOINT_EVERY));
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1000");
    m.put(AppKeys.LEARNER_QUEUE_TOKENS, "0");
    config = AppConfig.of(m);
    settings = TrainerSettings.from(config);
    m.put(AppKeys.LEARNER_QUEUE_TOKENS, "64");
    threaded = TrainerSettings.from(AppConfig.of(m));
  }

  /** A running processor with its mock context and the snapshots its listener heard. */
  private final class Run {
    final MockProcessorContext<String, Published> context = new MockProcessorContext<>();
    final List<ModelSnapshot> heard = new ArrayList<>();
    final List<byte[]> history = new ArrayList<>(); // history chunks of the last idleSnapshot
    final TrainingProcessor processor;

    Run() {
      this(settings);
    }

    Run(TrainerSettings settings) {
      this(settings, null);
    }

    /** With models: several models, whose shared store outlives the processors too. */
    Run(TrainerSettings settings, io.streamvec.app.config.ModelsConfig models) {
      processor =
          new TrainingProcessor(
              settings, models, new TrainingStatus("default"), (model, s) -> heard.add(s));
      context.setCurrentSystemTimeMs(1_000_000);
      List<KeyValueStore<?, ?>> stores = new ArrayList<>(List.of(rows, global, replay));
      if (models != null) stores.add(shared);
      for (KeyValueStore<?, ?> s : stores) {
        if (!s.isOpen())
          s.init(
              context.getStateStoreContext(),
              s); // the stores outlive the processors, like a changelog
        context.addStateStore(s);
      }
      processor.init(context);
    }

    void learn(List<String> part) {
      for (String l : part) processor.process(new Record<>("default", TokenLine.parse(l), 0L));
    }

    /**
     * Fires the snapshot timer after the idle time: returns the snapshot published, assembled from
     * the forwarded chunks.
     */
    ModelSnapshot idleSnapshot() {
      context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 60_000);
      context.resetForwards();
      history.clear();
      SnapshotAssembler a = new SnapshotAssembler();
      // with the learner thread the snapshot asked for at one tick is published at a later one
      for (int i = 0; i < 2000 && a.latest().isEmpty(); i++) {
        context.scheduledPunctuators().stream()
            .filter(p -> p.getInterval().toMillis() == settings.tickMs())
            .findFirst()
            .orElseThrow()
            .getPunctuator()
            .punctuate(context.currentSystemTimeMs());
        context.forwarded().forEach(f -> a.accept(f.record().value().value()));
        context.forwarded().stream()
            .filter(f -> f.record().value().historyChunk())
            .forEach(f -> history.add(f.record().value().value()));
        context.resetForwards();
        if (a.latest().isEmpty()) sleep(2);
      }
      return a.latest().orElseThrow(() -> new AssertionError("no snapshot published"));
    }

    double metric(String name) {
      context.resetForwards();
      context.scheduledPunctuators().stream()
          .filter(p -> p.getInterval().toMillis() == settings.metricsEveryMs())
          .findFirst()
          .orElseThrow()
          .getPunctuator()
          .punctuate(context.currentSystemTimeMs() + 1);
      String json =
          new String(
              context.forwarded().get(0).record().value().value(),
              java.nio.charset.StandardCharsets.UTF_8);
      var m = java.util.regex.Pattern.compile("\"" + name + "\":([0-9.]+)").matcher(json);
      assertTrue(m.find(), name + " in " + json);
      return Double.parseDouble(m.group(1));
    }
  }

  @Test
  void aProcessorRestoredFromTheStoresContinuesBitForBit() {
    int crashAt =
        5 * CHECKPOINT_EVERY + 11; // 11 records after the 5th checkpoint: they come back by replay
    Run first = new Run();
    assertTrue(
        first.context.scheduledPunctuators().stream()
            .allMatch(p -> p.getType() == PunctuationType.WALL_CLOCK_TIME));
    first.learn(lines.subList(0, 100));
    ModelSnapshot v1 = first.idleSnapshot();
    first.learn(lines.subList(100, crashAt));
    assertEquals(11, replayLogLines(), "the replay log holds the records since the checkpoint");
    assertEquals(1, replay.approximateNumEntries(), "in one batch");

    Run second = new Run(); // the crash: a new processor over what the stores hold
    assertEquals(11, second.metric("replayed_records"));
    assertEquals(crashAt, second.metric("records"));
    second.learn(lines.subList(crashAt, lines.size()));
    ModelSnapshot last = second.idleSnapshot();

    assertEquals(1, v1.version);
    assertEquals(2, last.version, "snapshot versions continue across the restart");
    ModelSnapshot uninterrupted = reference(lines).snapshot(0);
    assertTrue(uninterrupted.tokens > 10_000);
    assertTrue(last.sameModelAs(uninterrupted), "restored + replayed + continued == uninterrupted");
    assertTrue(second.heard.get(second.heard.size() - 1).sameModelAs(last));
  }

  @Test
  void withTheLearnerThreadCheckpointsLandLaterButTheRestoredModelIsTheSame() {
    int crashAt = 5 * CHECKPOINT_EVERY + 11;
    Run first = new Run(threaded);
    first.learn(lines.subList(0, 100));
    ModelSnapshot v1 = first.idleSnapshot();
    first.learn(lines.subList(100, crashAt));
    assertTrue(replayLogLines() >= 11, "at least the records since the last checkpoint");
    Run second = new Run(threaded); // the first one is abandoned, not closed: a crash
    assertEquals(crashAt, second.metric("records"));
    second.learn(lines.subList(crashAt, lines.size()));
    ModelSnapshot last = second.idleSnapshot();
    assertEquals(2, last.version);
    assertTrue(
        v1.tokens > 0 && last.sameModelAs(reference(lines).snapshot(0)),
        "restored + replayed + continued == uninterrupted");
    first.processor.close();
    second.processor.close();
  }

  /**
   * learner.threads=2 (model steps on a step thread) on the stream thread or behind the learner
   * thread: a crash, a restore with replay and a re-initialised task give the uninterrupted
   * one-thread learner's bits, and every step thread ends once its processor is closed.
   */
  @ParameterizedTest(name = "learner.queue.tokens={0}")
  @ValueSource(strings = {"0", "64"})
  void twoLearnerThreadsRestoreBitForBitAndStopWithTheirProcessor(String queue) {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, String.valueOf(CHECKPOINT_EVERY));
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1000"); // the tick idleSnapshot() fires
    m.put(AppKeys.LEARNER_QUEUE_TOKENS, queue);
    m.put(AppKeys.LEARNER_THREADS, "2");
    TrainerSettings two = TrainerSettings.from(AppConfig.of(m));
    Set<Thread> before = LearnerStepThreads.alive();
    int crashAt = 5 * CHECKPOINT_EVERY + 11;
    Run first = new Run(two);
    first.learn(lines.subList(0, crashAt));
    Set<Thread> firstSteps = LearnerStepThreads.startedSince(before);
    assertEquals(1, firstSteps.size(), "one step thread");
    Run second = new Run(two); // the first one is abandoned, not closed: a crash
    second.learn(lines.subList(crashAt, crashAt + 100));
    Set<Thread> secondSteps = LearnerStepThreads.startedSince(before);
    secondSteps.removeAll(firstSteps);
    assertEquals(1, secondSteps.size());
    second.processor.init(second.context); // Kafka Streams re-initialises a task in place
    LearnerStepThreads.assertEnded(secondSteps);
    second.learn(lines.subList(crashAt + 100, lines.size()));
    ModelSnapshot last = second.idleSnapshot();
    assertTrue(
        last.sameModelAs(reference(lines).snapshot(0)),
        "restored + replayed + continued on two threads == uninterrupted on one");
    Set<Thread> all = LearnerStepThreads.startedSince(before);
    assertEquals(2, all.size(), "the abandoned processor's and the re-initialised one's");
    first.processor.close();
    second.processor.close();
    LearnerStepThreads.assertEnded(all);
  }

  /**
   * Issue 12: a snapshot published before the first checkpoint leaves "meta" (snapshot version) but
   * no checkpoint; a crash then must restore as a new learner plus the whole replay log.
   */
  @ParameterizedTest(name = "learner thread: {0}")
  @ValueSource(booleans = {false, true})
  void aCrashAfterTheFirstSnapshotAndBeforeTheFirstCheckpointRestoresBitForBit(boolean thread) {
    TrainerSettings chosen = thread ? threaded : settings;
    int crashAt = CHECKPOINT_EVERY - 7; // before the first checkpoint
    Run first = new Run(chosen);
    first.learn(lines.subList(0, 20));
    ModelSnapshot v1 = first.idleSnapshot();
    first.learn(lines.subList(20, crashAt));
    assertEquals(1, v1.version);
    assertEquals(crashAt, replayLogLines(), "no checkpoint yet: the log holds every record");

    Run second = new Run(chosen); // the crash: the stores as the changelog holds them
    assertEquals(crashAt, second.metric("replayed_records"));
    assertEquals(crashAt, second.metric("records"));
    ModelSnapshot v2 = second.idleSnapshot();
    assertEquals(2, v2.version, "snapshot versions continue across the restart");
    assertTrue(v2.sameModelAs(reference(lines.subList(0, crashAt)).snapshot(0)));

    Run third = new Run(chosen); // crashed again, after the restart's snapshot
    third.learn(lines.subList(crashAt, lines.size()));
    ModelSnapshot last = third.idleSnapshot();
    assertEquals(3, last.version);
    assertTrue(last.sameModelAs(reference(lines).snapshot(0)), "== uninterrupted");
    for (Run r : List.of(first, second, third)) r.processor.close();
  }

  @Test
  void aRestartExactlyAtACheckpointReplaysNothingAndAnIdleModelIsHandedToTheListenerAtOnce() {
    Run first = new Run();
    first.learn(lines.subList(0, 4 * CHECKPOINT_EVERY));
    ModelSnapshot published = first.idleSnapshot();
    Run second = new Run();
    assertEquals(0, second.metric("replayed_records"));
    assertEquals(
        1,
        second.heard.size(),
        "the restored model equals the last published one: the query side gets it at once");
    assertTrue(second.heard.get(0).sameModelAs(published));
    assertEquals(published.version, second.heard.get(0).version);
  }

  /**
   * Under a lossy snapshot.encoding every instance serves the floats the topic carries: the owner
   * too, after a restore as after a publish, and the history record holds those floats as well.
   */
  @Test
  void underALossyEncodingTheRestoredOwnerServesWhatReadersOfTheTopicAssemble() {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, String.valueOf(CHECKPOINT_EVERY));
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1000");
    m.put(AppKeys.LEARNER_QUEUE_TOKENS, "0");
    m.put(AppKeys.SNAPSHOT_ENCODING, "int8");
    TrainerSettings int8 = TrainerSettings.from(AppConfig.of(m));
    Run first = new Run(int8);
    first.learn(lines.subList(0, 4 * CHECKPOINT_EVERY));
    ModelSnapshot assembled = first.idleSnapshot(); // as every reader of the topic has it
    assertFalse(
        assembled.sameModelAs(reference(lines.subList(0, 4 * CHECKPOINT_EVERY)).snapshot(0)),
        "int8 rounds the rows");
    assertTrue(first.heard.get(first.heard.size() - 1).sameModelAs(assembled));
    List<byte[]> expectedHistory =
        CompactSnapshotFormat.chunks(
            CompactSnapshot.of(assembled, first.context.currentSystemTimeMs(), int8.historyWords()),
            int8.chunkBytes());
    assertEquals(expectedHistory.size(), first.history.size());
    for (int i = 0; i < expectedHistory.size(); i++)
      assertArrayEquals(expectedHistory.get(i), first.history.get(i), "history chunk " + i);

    Run second = new Run(int8); // restored exactly at the published model: served at once
    assertEquals(1, second.heard.size());
    assertTrue(second.heard.get(0).sameModelAs(assembled), "the restored owner serves int8 rows");
  }

  @Test
  void aSecondTrainingTaskIsRefusedWithWhatToDo() {
    var context =
        new MockProcessorContext<String, Published>(
            new java.util.Properties(), new org.apache.kafka.streams.processor.TaskId(0, 1), null);
    TrainingProcessor p =
        new TrainingProcessor(settings, new TrainingStatus("default"), (model, s) -> {});
    ModelStateException e = assertThrows(ModelStateException.class, () -> p.init(context));
    assertTrue(
        e.getMessage().contains("restart the app") && e.getMessage().contains("0_1"),
        e.getMessage());
  }

  /**
   * The upgrade path: the stores of an app that trained one model (a checkpoint and a replay log)
   * restore unchanged when the app starts training more models; the new model's state goes to the
   * shared store under its own prefix, and a restart restores both.
   */
  @Test
  void aOneModelAppsStateContinuesWhenTheAppStartsTrainingMoreModels() {
    int cut = 3 * CHECKPOINT_EVERY + 7;
    new Run().learn(lines.subList(0, cut));
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, String.valueOf(CHECKPOINT_EVERY));
    m.put(AppKeys.MODELS, "news");
    m.put("model.news.topics", "news");
    var models = AppConfig.of(m).models();
    Run second = new Run(settings, models);
    List<String> news = lines.subList(0, 500);
    for (int i = cut; i < lines.size(); i++) {
      second.processor.process(new Record<>("default", TokenLine.parse(lines.get(i)), 0L));
      if (i - cut < news.size())
        second.processor.process(new Record<>("news", TokenLine.parse(news.get(i - cut)), 0L));
    }
    Run third = new Run(settings, models); // restores both from the stores
    assertEquals(List.of("default", "news"), third.processor.models());
    Map<String, ModelSnapshot> snapshots = new HashMap<>();
    third.context.setCurrentSystemTimeMs(third.context.currentSystemTimeMs() + 60_000);
    third.context.resetForwards();
    third.context.scheduledPunctuators().stream()
        .filter(p -> p.getInterval().toMillis() == settings.tickMs())
        .findFirst()
        .orElseThrow()
        .getPunctuator()
        .punctuate(third.context.currentSystemTimeMs());
    Map<String, SnapshotAssembler> assemblers = new HashMap<>();
    for (var f : third.context.forwarded()) {
      String model = f.record().key().split("/")[0];
      assemblers
          .computeIfAbsent(model, k -> new SnapshotAssembler())
          .accept(f.record().value().value())
          .ifPresent(s -> snapshots.put(model, s));
    }
    assertTrue(
        snapshots.get("default").sameModelAs(reference(lines).snapshot(0)),
        "model.id continued from the one-model stores, bit for bit");
    assertTrue(snapshots.get("news").sameModelAs(reference(news).snapshot(0)));
    assertTrue(
        ModelTables.modelsIn(shared).equals(List.of("news")),
        "model.id is not in the shared store: " + ModelTables.modelsIn(shared));
  }

  @Test
  void aGapInTheReplayLogIsReportedNotPapered() {
    Run first = new Run();
    first.learn(lines.subList(0, CHECKPOINT_EVERY + 5));
    replay.put(
        (long) CHECKPOINT_EVERY + 9,
        "a lost batch ends before this one"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8)); // records 43..45 are missing
    ModelStateException e = assertThrows(ModelStateException.class, Run::new);
    assertTrue(e.getMessage().contains("replay-log"), e.getMessage());
    assertFalse(e.getMessage().isBlank());
  }

  /** Lines in the replay log's batches. */
  private long replayLogLines() {
    long n = 0;
    try (var it = replay.all()) {
      while (it.hasNext())
        n +=
            new String(it.next().value, java.nio.charset.StandardCharsets.UTF_8).split("\n").length;
    }
    return n;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private Learner reference(List<String> tokenLines) {
    Learner l = new Learner(config.model());
    for (String line : tokenLines) l.learn(List.of(line.split(" ")));
    return l;
  }

  private static List<String> tokenLines(List<String> texts) {
    Tokenizer t = new Tokenizer(100_000);
    List<String> out = new ArrayList<>();
    for (String text : texts) out.add(String.join(" ", t.tokenize(text)));
    return out;
  }

  private static <K, V> KeyValueStore<K, V> store(
      String name,
      org.apache.kafka.common.serialization.Serde<K> k,
      org.apache.kafka.common.serialization.Serde<V> v) {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), k, v)
        .withLoggingDisabled()
        .build();
  }
}
