package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.status.TrainingReport;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.app.testing.Await;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotAssembler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The topology end to end without a broker: routing, every DLQ reason, metrics JSON, chunked
 * snapshots, the idle snapshot.
 */
class StreamvecTopologyTest {
  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private AppConfig config;
  private final TrainingStatus status = new TrainingStatus("default");
  private final List<ModelSnapshot> heard = new ArrayList<>();
  private TestInputTopic<byte[], byte[]> input;

  private void start(Map<String, String> overrides) {
    start(overrides, Integer.MAX_VALUE);
  }

  private void start(Map<String, String> overrides, int inputPartitions) {
    config = TopologyDrivers.smallModel(overrides);
    driver = TopologyDrivers.start(config, stateDir, topology(inputPartitions));
    input = TopologyDrivers.input(driver, config.getList(AppKeys.INPUT_TOPICS).get(0));
  }

  private org.apache.kafka.streams.Topology topology(int inputPartitions) {
    return TopologyDrivers.topology(config, status, (model, s) -> heard.add(s), inputPartitions);
  }

  @AfterEach
  void close() {
    if (driver != null) driver.close();
  }

  private TestOutputTopic<String, byte[]> out(String key) {
    return TopologyDrivers.output(driver, config.get(key), new StringDeserializer());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Assembles every chunk on the snapshots topic; returns the snapshots completed, in order. */
  private List<ModelSnapshot> snapshots(SnapshotAssembler assembler) {
    List<ModelSnapshot> done = new ArrayList<>();
    for (var r : out(AppKeys.SNAPSHOTS_TOPIC).readRecordsToList()) {
      assertTrue(r.key().startsWith("default/"), r.key());
      assembler.accept(r.value()).ifPresent(done::add);
    }
    return done;
  }

  /**
   * The snapshots published so far, ticking the wall clock until there are at least n: with the
   * learner thread a snapshot is published at the first tick (or record) after it was taken.
   */
  private List<ModelSnapshot> snapshotsOnceTaken(SnapshotAssembler assembler, int n) {
    List<ModelSnapshot> done = new ArrayList<>(snapshots(assembler));
    long tickMs = TrainerSettings.from(config).tickMs();
    try {
      Await.holdsWithin(
          () -> {
            if (done.size() >= n) return true;
            driver.advanceWallClockTime(Duration.ofMillis(tickMs));
            done.addAll(snapshots(assembler));
            return done.size() >= n;
          },
          Duration.ofSeconds(10));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return done;
  }

  @Test
  void goodRecordsTrainOneModelThatIsPublishedWhenTheInputGoesIdle() {
    start(Map.of(AppKeys.IDLE_SNAPSHOT_MS, "5000"));
    List<String> texts = TestTexts.resourceLines("corpus/animals.txt").subList(0, 200);
    for (String t : texts) input.pipeInput(utf8("some-key"), utf8(t));
    driver.advanceWallClockTime(Duration.ofMillis(4000));
    assertTrue(
        out(AppKeys.SNAPSHOTS_TOPIC).isEmpty(),
        "no snapshot before the input has been idle for idle.snapshot.ms");
    driver.advanceWallClockTime(Duration.ofMillis(2000));
    List<ModelSnapshot> published = snapshotsOnceTaken(new SnapshotAssembler(), 1);
    assertEquals(1, published.size());
    ModelSnapshot s = published.get(0);
    assertEquals(1, s.version);
    assertTrue(
        s.sameModelAs(TestTexts.reference(config.model(), texts).snapshot(0)),
        "the app's model is the offline learner's, bit for bit");
    assertTrue(out(AppKeys.DLQ_TOPIC).isEmpty());
    assertEquals(1, heard.size(), "the listener hears the published snapshot");
    assertTrue(heard.get(0).sameModelAs(s));
    driver.advanceWallClockTime(Duration.ofMillis(20_000));
    assertTrue(
        out(AppKeys.SNAPSHOTS_TOPIC).isEmpty(),
        "the idle snapshot is published once, not on every tick");
  }

  @Test
  void snapshotEncodingShapesTheTopicAndTheOwnerServesWhatReadersAssemble() {
    start(Map.of(AppKeys.SNAPSHOT_ENCODING, "int8", AppKeys.IDLE_SNAPSHOT_MS, "5000"));
    List<String> texts = TestTexts.resourceLines("corpus/animals.txt").subList(0, 200);
    for (String t : texts) input.pipeInput(utf8(t));
    driver.advanceWallClockTime(Duration.ofMillis(6000));
    ModelSnapshot s = snapshotsOnceTaken(new SnapshotAssembler(), 1).get(0);
    ModelSnapshot offline = TestTexts.reference(config.model(), texts).snapshot(0);
    assertFalse(s.sameModelAs(offline), "int8 rows are not the float32 rows");
    int d = s.embeddings().numCols;
    for (int r = 0; r < s.size(); r++) {
      assertEquals(offline.word(r), s.word(r));
      float max = 0;
      for (int i = r * d; i < (r + 1) * d; i++)
        max = Math.max(max, Math.abs(offline.embeddings().data[i]));
      for (int i = r * d; i < (r + 1) * d; i++)
        assertEquals(offline.embeddings().data[i], s.embeddings().data[i], max / 254 * 1.0001);
    }
    assertEquals(1, heard.size());
    assertTrue(heard.get(0).sameModelAs(s), "the owner serves the model as readers assemble it");
  }

  /**
   * learner.queue.tokens: 0 learns on the stream thread, else on the learner thread (which takes a
   * checkpoint image every 7 records); learner.threads=2 runs the model's steps on a step thread of
   * their own, which stops with the app.
   */
  @ParameterizedTest(name = "learner.queue.tokens={0}, learner.threads={1}")
  @CsvSource({"0,1", "1,1", "262144,1", "0,2", "1,2", "262144,2"})
  void withOneInputPartitionTrainingFollowsValidationWithoutARepartitionTopicAndLearnsTheSameModel(
      String queue, int threads) {
    Set<Thread> before = LearnerStepThreads.alive();
    start(
        Map.of(
            AppKeys.IDLE_SNAPSHOT_MS,
            "1000",
            AppKeys.LEARNER_QUEUE_TOKENS,
            queue,
            AppKeys.LEARNER_THREADS,
            String.valueOf(threads),
            AppKeys.CHECKPOINT_INTERVAL_RECORDS,
            "7"),
        1);
    Set<Thread> steps = LearnerStepThreads.startedSince(before);
    assertEquals(threads - 1, steps.size(), "step threads of learner.threads=" + threads);
    String direct = topology(1).describe().toString(), general = topology(2).describe().toString();
    assertTrue(general.contains("model-repartition"), general);
    assertTrue(
        !direct.contains("repartition")
            && direct.contains("Sub-topology: 0")
            && !direct.contains("Sub-topology: 1"),
        direct);
    List<String> texts = TestTexts.resourceLines("corpus/animals.txt").subList(0, 200);
    for (String t : texts) input.pipeInput(utf8("k"), utf8(t));
    input.pipeInput(utf8("k"), utf8("!!! ...")); // a dead letter still leaves by the DLQ
    driver.advanceWallClockTime(Duration.ofMillis(2000));
    List<ModelSnapshot> published = snapshotsOnceTaken(new SnapshotAssembler(), 1);
    assertEquals(1, published.size());
    assertTrue(
        published.get(0).sameModelAs(TestTexts.reference(config.model(), texts).snapshot(0)),
        "the offline learner's model, bit for bit");
    assertEquals(1, out(AppKeys.DLQ_TOPIC).readRecordsToList().size());
    driver.close();
    driver = null;
    LearnerStepThreads.assertEnded(steps);
  }

  @Test
  void everyUnusableRecordLandsInTheDlqWithItsReasonAndOrigin() {
    start(Map.of(AppKeys.MAX_RECORD_BYTES, "100"));
    String topic = config.getList(AppKeys.INPUT_TOPICS).get(0);
    byte[][] values = {
      utf8("A good line about a tiger."),
      null,
      new byte[0],
      utf8("x".repeat(101)),
      {(byte) 0xC3, 0x28, 'a'},
      utf8("text\u0000with NUL"),
      utf8("\u0001\u0002\u0003\u0004 ok"),
      utf8("!!! ... ???"),
      utf8("Another good one.")
    };
    String[] reasons = {
      null,
      "null-value",
      "empty",
      "too-large",
      "invalid-utf8",
      "binary",
      "binary",
      "no-tokens",
      null
    };
    RecordHeaders inputHeaders = new RecordHeaders();
    inputHeaders.add("trace", utf8("abc"));
    for (int i = 0; i < values.length; i++)
      input.pipeInput(new TestRecord<>(utf8("k" + i), values[i], inputHeaders, 1000L + i));

    List<TestRecord<byte[], byte[]>> dlq =
        TopologyDrivers.output(driver, config.get(AppKeys.DLQ_TOPIC), new ByteArrayDeserializer())
            .readRecordsToList();
    Map<String, Long> expectedCounts = new HashMap<>();
    int d = 0;
    for (int i = 0; i < values.length; i++) {
      if (reasons[i] == null) continue;
      expectedCounts.merge(reasons[i], 1L, Long::sum);
      TestRecord<byte[], byte[]> r = dlq.get(d++);
      assertArrayEquals(utf8("k" + i), r.key(), "original key");
      assertArrayEquals(values[i], r.value(), "original value bytes");
      assertEquals(
          reasons[i], DeadLetter.header(r.headers(), DeadLetter.REASON), "reason of record " + i);
      assertTrue(!DeadLetter.header(r.headers(), DeadLetter.DETAIL).isBlank());
      assertEquals(topic, DeadLetter.header(r.headers(), DeadLetter.SOURCE_TOPIC));
      assertEquals("0", DeadLetter.header(r.headers(), DeadLetter.SOURCE_PARTITION));
      assertEquals(String.valueOf(i), DeadLetter.header(r.headers(), DeadLetter.SOURCE_OFFSET));
      assertEquals(
          "abc", DeadLetter.header(r.headers(), "trace"), "the input's own headers are kept");
    }
    assertEquals(d, dlq.size(), "only the unusable records are dead letters");
    for (var e : expectedCounts.entrySet())
      assertEquals(e.getValue(), status.deadLetteredByReason().get(e.getKey()).sum(), e.getKey());

    JsonNode metrics = metricsOnceLearned(2);
    assertEquals(2, metrics.get("records").asLong(), "two good records trained on");
    assertEquals(7, metrics.get("dlq_records").asLong());
  }

  @Test
  void metricsRecordsCarryEveryReportedFieldAsJson() {
    start(Map.of(AppKeys.METRICS_INTERVAL_MS, "1000"));
    List<String> texts = TestTexts.resourceLines("corpus/animals.txt").subList(0, 50);
    for (String t : texts) input.pipeInput(utf8(t));
    TestRecord<String, byte[]> record = metricsRecordOnceLearned(50);
    assertEquals("default", record.key());
    JsonNode json = parse(record.value());
    for (TrainingReport.Field f : TrainingReport.FIELDS)
      assertTrue(json.has(f.name()), "metrics JSON lacks " + f.name());
    assertEquals("default", json.get("model_id").asText());
    assertEquals(TestTexts.tokenCount(config.model(), texts), json.get("tokens").asLong());
    assertEquals(50, json.get("records").asLong());
    assertTrue(json.get("tokens_per_sec").asDouble() > 0);
    assertTrue(json.get("perplexity").asDouble() > 1);
    assertEquals(0, json.get("snapshot_version").asLong());
    assertEquals(
        json.get("tokens").asLong(),
        (long) status.latest().value("tokens"),
        "TrainingStatus holds the same report");
  }

  @Test
  void snapshotsAreChunkedVersionedAndReassembled() {
    // ~20 tokens between snapshots, 4 kB chunks: several snapshots of several chunks each
    // learning on the stream thread: every snapshot is on the topic right after the record that
    // triggered it
    start(
        Map.of(
            AppKeys.SNAPSHOT_CHUNK_BYTES,
            "4096",
            AppKeys.SNAPSHOT_INTERVAL_TOKENS,
            "400",
            AppKeys.LEARNER_QUEUE_TOKENS,
            "0"));
    List<String> texts = TestTexts.resourceLines("corpus/animals.txt").subList(0, 150);
    for (String t : texts) input.pipeInput(utf8(t));
    List<TestRecord<String, byte[]>> chunks = out(AppKeys.SNAPSHOTS_TOPIC).readRecordsToList();
    SnapshotAssembler assembler = new SnapshotAssembler();
    List<ModelSnapshot> done = new ArrayList<>();
    java.util.Set<String> blockKeys = new java.util.HashSet<>();
    for (var r : chunks) {
      assertTrue(r.value().length <= 4096, "chunk of " + r.value().length + " bytes");
      // format 5: row blocks keyed default/r/<block>.<slot>/<chunk>, the manifest
      // default/m.<slot>/<chunk>
      assertTrue(r.key().matches("default/(r/\\d+|m)\\.[01]/\\d+"), r.key());
      if (r.key().startsWith("default/r/")) blockKeys.add(r.key());
      assembler.accept(r.value()).ifPresent(done::add);
    }
    assertTrue(blockKeys.size() >= 2, "a snapshot should span several row blocks");
    long tokens = TestTexts.tokenCount(config.model(), texts);
    assertEquals(tokens / 400, done.size(), "one snapshot per 400 tokens");
    for (int i = 0; i < done.size(); i++) {
      assertEquals(i + 1, done.get(i).version);
      assertTrue(
          done.get(i).tokens >= 400L * (i + 1) && done.get(i).tokens < 400L * (i + 1) + 40,
          "tokens " + done.get(i).tokens);
    }
    assertEquals(0, assembler.rejectedCount(), assembler.lastRejection());
  }

  @Test
  void recordsOfSeveralInputTopicsAllReachTheOneModel() {
    start(Map.of(AppKeys.INPUT_TOPICS, "text-a,text-b", AppKeys.METRICS_INTERVAL_MS, "1000"));
    TestInputTopic<byte[], byte[]> other = TopologyDrivers.input(driver, "text-b");
    List<String> texts = TestTexts.resourceLines("corpus/animals.txt").subList(0, 40);
    for (int i = 0; i < texts.size(); i++)
      (i % 2 == 0 ? input : other).pipeInput(utf8("k" + i), utf8(texts.get(i)));
    JsonNode m = metricsOnceLearned(40);
    assertEquals(40, m.get("records").asLong());
    assertEquals(TestTexts.tokenCount(config.model(), texts), m.get("tokens").asLong());
  }

  /**
   * The first metrics record reporting at least n records learned. With the learner thread a report
   * says what it has learned so far, without waiting for the rest: the next ones catch up.
   */
  private JsonNode metricsOnceLearned(long n) {
    return parse(metricsRecordOnceLearned(n).value());
  }

  private TestRecord<String, byte[]> metricsRecordOnceLearned(long n) {
    long interval = config.getLong(AppKeys.METRICS_INTERVAL_MS);
    List<TestRecord<String, byte[]>> found = new ArrayList<>();
    Await.await(
        "a metrics record reporting " + n + " records learned",
        () -> {
          driver.advanceWallClockTime(Duration.ofMillis(interval));
          for (TestRecord<String, byte[]> r : out(AppKeys.METRICS_TOPIC).readRecordsToList()) {
            if (parse(r.value()).get("records").asLong() >= n) {
              found.add(r);
              return true;
            }
          }
          return false;
        },
        Duration.ofSeconds(10));
    return found.get(0);
  }

  private static JsonNode parse(byte[] json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(
          "metrics value is not JSON: " + new String(json, StandardCharsets.UTF_8), e);
    }
  }
}
