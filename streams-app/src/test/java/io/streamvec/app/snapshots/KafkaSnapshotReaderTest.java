package io.streamvec.app.snapshots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.testing.FreePorts;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The snapshot reader against a real broker, with snapshots written transactionally as the app
 * writes them.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaSnapshotReaderTest {
  static EmbeddedKafkaBroker kafka;
  static ModelSnapshot v1, v2, v3, v4;
  static final int CHUNK = 4096; // several chunks per snapshot

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
    ModelConfig c = SnapshotTopicFixture.smallConfig(7);
    List<String> text = SnapshotTopicFixture.text(600, 3);
    v1 = SnapshotTopicFixture.train(c, text.subList(0, 200), 1);
    v2 = SnapshotTopicFixture.train(c, text.subList(0, 400), 2);
    v3 = SnapshotTopicFixture.train(c, text, 3);
    v4 = SnapshotTopicFixture.train(c, SnapshotTopicFixture.text(700, 3), 4);
  }

  @AfterAll
  static void stop() {
    if (kafka != null) kafka.close();
  }

  private static Properties client() {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    return p;
  }

  @Test
  void readLatestReturnsNewestCommittedSnapshotAndIgnoresAbortedAndOtherModels() {
    kafka.createTopic("snap-a", 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-a")) {
      assertTrue(
          SnapshotTopicFixture.publish(p, "snap-a", "default", v1, CHUNK, true) > 1,
          "snapshots should span several chunks");
      SnapshotTopicFixture.publish(p, "snap-a", "default", v2, CHUNK, true);
      SnapshotTopicFixture.publish(
          p, "snap-a", "default", v3, CHUNK, false); // aborted: must not be seen
      SnapshotTopicFixture.publish(
          p, "snap-a", "other", v4, CHUNK, true); // another model on the same topic
      // garbage under our key: rejected by the assembler, not fatal
      p.beginTransaction();
      p.send(new ProducerRecord<>("snap-a", "default/0", new byte[] {1, 2, 3}));
      p.commitTransaction();
    }
    try (KafkaSnapshotReader r = new KafkaSnapshotReader(client(), "snap-a", "default")) {
      Optional<ModelSnapshot> got = r.readLatest(Duration.ofSeconds(30));
      assertTrue(got.isPresent());
      assertEquals(2, got.get().version);
      assertTrue(
          got.get().sameModelAs(v2), "the read snapshot equals the one written, bit for bit");
      assertEquals(1, r.assembler().rejectedCount());
      assertFalse(
          r.readLatest(Duration.ofSeconds(10)).isEmpty(),
          "a second call reads on and keeps the latest");
    }
    try (KafkaSnapshotReader r = new KafkaSnapshotReader(client(), "snap-a", "other")) {
      assertEquals(4, r.readLatest(Duration.ofSeconds(30)).orElseThrow().version);
    }
  }

  @Test
  void aReaderOfAllModelsAssemblesEachModelApartAndWatchesThemAll() throws Exception {
    // three models on one topic of two partitions: format 1 chunks and format 3 deltas, models
    // whose names look like keys, and records interleaved; one snapshot aborted
    kafka.createTopic("snap-all", 2, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    ModelConfig c = SnapshotTopicFixture.smallConfig(9);
    ModelSnapshot t1 = SnapshotTopicFixture.train(c, SnapshotTopicFixture.text(300, 8), 1);
    ModelSnapshot t2 = SnapshotTopicFixture.train(c, SnapshotTopicFixture.text(500, 8), 2);
    io.streamvec.model.io.SnapshotPublisher deltas =
        new io.streamvec.model.io.SnapshotPublisher("en/m", 1_200);
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-all")) {
      SnapshotTopicFixture.publish(p, "snap-all", "default", v1, CHUNK, true);
      SnapshotTopicFixture.publishDelta(p, "snap-all", deltas, t1, null);
      SnapshotTopicFixture.publish(p, "snap-all", "other", v4, CHUNK, true);
      SnapshotTopicFixture.publish(p, "snap-all", "default", v2, CHUNK, true);
      SnapshotTopicFixture.publish(p, "snap-all", "default", v3, CHUNK, false);
      SnapshotTopicFixture.publishDelta(p, "snap-all", deltas, t2, null);
    }
    try (KafkaSnapshotReader r = KafkaSnapshotReader.allModels(client(), "snap-all")) {
      Map<String, ModelSnapshot> all = r.readAll(Duration.ofSeconds(30));
      assertEquals(List.of("default", "en/m", "other"), List.copyOf(all.keySet()));
      assertTrue(all.get("default").sameModelAs(v2), "default: v2, not the aborted v3");
      assertTrue(all.get("en/m").sameModelAs(t2), "en/m: the newest delta, every float");
      assertTrue(all.get("other").sameModelAs(v4));
    }
    // a watcher hears each model's latest, then each model's new versions as they come
    Map<String, List<Long>> seen = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Thread watcher =
        new Thread(
            () -> {
              try (KafkaSnapshotReader r = KafkaSnapshotReader.allModels(client(), "snap-all")) {
                r.watchAll(
                    (model, s) ->
                        seen.computeIfAbsent(model, m -> new CopyOnWriteArrayList<>())
                            .add(s.version),
                    () ->
                        seen.getOrDefault("other", List.of()).size() < 2
                            && System.nanoTime() < deadline);
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    watcher.start();
    Await.await("the watcher to catch up", () -> seen.size() == 3, Duration.ofSeconds(60));
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-all")) {
      SnapshotTopicFixture.publish(
          p,
          "snap-all",
          "other",
          SnapshotTopicFixture.train(c, SnapshotTopicFixture.text(100, 2), 5),
          CHUNK,
          true);
    }
    watcher.join(Duration.ofSeconds(70).toMillis());
    if (failure.get() != null) throw new AssertionError(failure.get());
    assertEquals(
        Map.of("default", List.of(2L), "en/m", List.of(2L), "other", List.of(4L, 5L)), seen);
  }

  /** Chunk size that splits s into about n chunks. */
  static int chunkBytesFor(ModelSnapshot s, int n) {
    return SnapshotCodec.encode(s).length / n + 40;
  }

  @Test
  void deltaSnapshotsAfterAVersionOneSnapshotReadExactlyFromTheTailAndAcrossPartitions() {
    // format 1 then format 2 on one topic (an upgraded app); blocks and manifests spread over 3
    // partitions, so a manifest may arrive before its blocks
    kafka.createTopic("snap-delta", 3, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    ModelConfig c = SnapshotTopicFixture.smallConfig(7);
    io.streamvec.model.Learner learner = new io.streamvec.model.Learner(c);
    io.streamvec.model.text.Tokenizer tokenizer =
        new io.streamvec.model.text.Tokenizer(c.maxLineChars);
    List<String> text = SnapshotTopicFixture.text(900, 5);
    io.streamvec.model.io.SnapshotPublisher publisher =
        new io.streamvec.model.io.SnapshotPublisher("default", 1_200);
    ModelSnapshot last = null;
    int lastSent = 0;
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-delta")) {
      SnapshotTopicFixture.publish(p, "snap-delta", "default", v1, CHUNK, true);
      for (int version = 2; version <= 16; version++) {
        for (String line : text.subList(60 * (version - 2), 60 * (version - 1)))
          learner.learn(tokenizer.tokenize(line));
        last = learner.snapshot(version);
        lastSent =
            SnapshotTopicFixture.publishDelta(
                p, "snap-delta", publisher, last, key -> Math.floorMod(key.hashCode(), 3));
      }
    }
    for (long tail : new long[] {4, 1_000_000}) {
      try (KafkaSnapshotReader r = new KafkaSnapshotReader(client(), "snap-delta", "default")) {
        r.tailRecords(tail);
        ModelSnapshot got = r.readLatest(Duration.ofSeconds(30)).orElseThrow();
        assertEquals(16, got.version);
        assertTrue(got.sameModelAs(last), "every float of the newest model, tail " + tail);
        assertEquals(0, r.assembler().rejectedCount(), r.assembler().lastRejection());
        assertTrue(r.recordsRead() > lastSent, "a tail of 4 records cannot hold the whole model");
      }
    }
  }

  @Test
  void theFirstReadTakesTheLatestFromTheTailWithoutReplayingHistory() {
    kafka.createTopic("snap-tail", 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    ModelSnapshot last = null;
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-tail")) {
      for (long version = 1; version <= 30; version++) {
        last =
            SnapshotTopicFixture.train(
                SnapshotTopicFixture.smallConfig(7),
                SnapshotTopicFixture.text(40 + (int) version, 3),
                version);
        SnapshotTopicFixture.publish(p, "snap-tail", "default", last, chunkBytesFor(last, 4), true);
      }
    }
    try (KafkaSnapshotReader r = new KafkaSnapshotReader(client(), "snap-tail", "default")) {
      r.tailRecords(16);
      ModelSnapshot got = r.readLatest(Duration.ofSeconds(30)).orElseThrow();
      assertEquals(30, got.version);
      assertTrue(got.sameModelAs(last));
      assertTrue(
          r.recordsRead() <= 16, "read " + r.recordsRead() + " chunk records of ~150 on the topic");
    }
  }

  @Test
  void aNewestSnapshotLongerThanTheTailWindowIsStillFoundOnOneOrSeveralPartitions() {
    for (int partitions : new int[] {1, 3}) {
      String topic = "snap-wide-" + partitions;
      kafka.createTopic(topic, partitions, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
      try (KafkaProducer<String, byte[]> p =
          SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-" + topic)) {
        SnapshotTopicFixture.publish(p, topic, "default", v1, chunkBytesFor(v1, 2), true);
        assertTrue(
            SnapshotTopicFixture.publish(p, topic, "default", v2, chunkBytesFor(v2, 60), true)
                >= 50);
      }
      try (KafkaSnapshotReader r = new KafkaSnapshotReader(client(), topic, "default")) {
        r.tailRecords(8); // cuts into v2 (on 3 partitions: into its chunks on each partition)
        ModelSnapshot got = r.readLatest(Duration.ofSeconds(30)).orElseThrow();
        assertEquals(2, got.version, partitions + " partitions");
        assertTrue(got.sameModelAs(v2));
      }
    }
  }

  @Test
  void anOlderSnapshotCompleteInTheWindowDoesNotHideANewerOneCutByIt() {
    // partition 0: v1 (1 chunk), then v2's chunk 0; partition 1: v2's 30 other chunks. The last 8
    // offsets of each partition hold all of v1 but only part of v2: the reader must look further.
    kafka.createTopic("snap-uneven", 2, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-uneven")) {
      SnapshotTopicFixture.publish(
          p, "snap-uneven", "default", v1, chunkBytesFor(v1, 1), true, i -> 0);
      assertTrue(
          SnapshotTopicFixture.publish(
                  p, "snap-uneven", "default", v2, chunkBytesFor(v2, 31), true, i -> i == 0 ? 0 : 1)
              >= 25);
    }
    try (KafkaSnapshotReader r = new KafkaSnapshotReader(client(), "snap-uneven", "default")) {
      r.tailRecords(8);
      assertEquals(2, r.readLatest(Duration.ofSeconds(30)).orElseThrow().version);
    }
  }

  @Test
  void aReadRightAfterACommitSeesTheCommittedSnapshot() {
    // commitTransaction() returns before the broker writes the commit markers; the reader must not
    // miss it
    kafka.createTopic("snap-race", 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    try (KafkaProducer<String, byte[]> p =
            SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-race");
        KafkaSnapshotReader r = new KafkaSnapshotReader(client(), "snap-race", "default")) {
      assertTrue(
          r.readLatest(Duration.ofSeconds(30))
              .isEmpty()); // connected, assigned: the next reads are quick
      for (long version = 1; version <= 20; version++) {
        ModelSnapshot s =
            new ModelSnapshot(
                version,
                v1.tokens,
                v1.config,
                words(v1),
                counts(v1),
                v1.embeddings(),
                v1.outputWeights(),
                v1.outputBias,
                v1.encoderNames(),
                v1.encoderParams(),
                v1.stats(),
                null);
        SnapshotTopicFixture.publish(p, "snap-race", "default", s, CHUNK, true);
        assertEquals(version, r.readLatest(Duration.ofSeconds(30)).orElseThrow().version);
      }
    }
  }

  static String[] words(ModelSnapshot s) {
    String[] w = new String[s.size()];
    for (int i = 0; i < w.length; i++) w[i] = s.word(i);
    return w;
  }

  static float[] counts(ModelSnapshot s) {
    float[] c = new float[s.size()];
    for (int i = 0; i < c.length; i++) c[i] = s.count(i);
    return c;
  }

  @Test
  void emptyTopicGivesNoSnapshot() {
    kafka.createTopic("snap-empty", 2, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    try (KafkaSnapshotReader r = new KafkaSnapshotReader(client(), "snap-empty", "default")) {
      assertTrue(r.readLatest(Duration.ofSeconds(20)).isEmpty());
    }
  }

  @Test
  void watchReportsTheLatestThenEachNewVersion() throws Exception {
    kafka.createTopic("snap-w", 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    List<Long> seen = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(kafka.bootstrapServers(), "writer-w")) {
      SnapshotTopicFixture.publish(p, "snap-w", "default", v1, CHUNK, true);
      SnapshotTopicFixture.publish(p, "snap-w", "default", v2, CHUNK, true);
      Thread watcher =
          new Thread(
              () -> {
                try (KafkaSnapshotReader r =
                    new KafkaSnapshotReader(client(), "snap-w", "default")) {
                  r.watch(
                      s -> seen.add(s.version),
                      () -> seen.size() < 2 && System.nanoTime() < deadline);
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      watcher.start();
      Await.await(
          "the watcher to report the latest snapshot",
          () -> !seen.isEmpty() || !watcher.isAlive(),
          Duration.ofSeconds(60));
      SnapshotTopicFixture.publish(p, "snap-w", "default", v3, CHUNK, false); // aborted: skipped
      SnapshotTopicFixture.publish(p, "snap-w", "default", v4, CHUNK, true);
      watcher.join(Duration.ofSeconds(70).toMillis());
    }
    if (failure.get() != null) throw new AssertionError(failure.get());
    assertEquals(
        List.of(2L, 4L),
        seen,
        "v2 on catching up, then v4 as it is committed; never v1 or the aborted v3");
  }

  @Test
  void missingTopicAndUnreachableBrokerFailClearlyAndInBoundedTime() {
    try (KafkaSnapshotReader r = new KafkaSnapshotReader(client(), "no-such-topic", "default")) {
      SnapshotReadException e =
          assertThrows(SnapshotReadException.class, () -> r.readLatest(Duration.ofSeconds(30)));
      assertEquals(SnapshotReadException.Reason.TOPIC_MISSING, e.reason());
      assertTrue(e.getMessage().contains("'no-such-topic' does not exist"), e.getMessage());
    }
    Properties dead = new Properties();
    dead.put("bootstrap.servers", "127.0.0.1:" + FreePorts.one());
    long t0 = System.nanoTime();
    try (KafkaSnapshotReader r = new KafkaSnapshotReader(dead, "snapshots", "default")) {
      // the connect timeout is 15 s; a shorter overall timeout bounds it further (keeps the test
      // quick)
      SnapshotReadException e =
          assertThrows(SnapshotReadException.class, () -> r.readLatest(Duration.ofSeconds(3)));
      assertEquals(SnapshotReadException.Reason.BROKER_UNREACHABLE, e.reason());
      assertTrue(e.getMessage().startsWith("cannot reach Kafka at 127.0.0.1:"), e.getMessage());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(
        seconds < 10,
        "an unreachable broker is reported within the timeout, took " + seconds + " s");
  }
}
