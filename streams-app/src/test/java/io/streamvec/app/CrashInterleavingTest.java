package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.LiveStream;
import io.streamvec.app.testing.MetricsFollower;
import io.streamvec.app.topology.StateCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Randomized crash test on a live stream: text arrives at a steady rate while the app (its own JVM)
 * trains, publishes snapshots and metrics and writes checkpoints at small intervals, so they
 * interleave; the app is killed with SIGKILL at planned moments (before the first snapshot, after a
 * snapshot but before the first checkpoint, right after a checkpoint or a snapshot, right after a
 * restore, at a random time) or halts itself where a kill from outside lands only by luck (inside
 * the transaction that writes a checkpoint's last slice, between two slices of a checkpoint, in the
 * middle of a replay: {@code streamvec.crash-point}), its local state kept or deleted (a new
 * machine) before each restart. Checkpoints are written in slices of a few rows here, so that a
 * checkpoint spans many transactions as a big model's does. The final model must equal an
 * uninterrupted run over the lines the stream sent, bit for bit.
 *
 * <p>Seeded: the plan comes from {@code -Dstreamvec.crash.seed} (printed on every run, so a failure
 * is replayed with the same seed) and has {@code -Dstreamvec.crash.kills} kills; {@code
 * bench/crash-soak.sh} runs long variants over many seeds.
 */
@Tag("integration")
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class CrashInterleavingTest extends AppJvmFixture {
  private static final double LINES_PER_SECOND = 80;
  private static final int CHECKPOINT_RECORDS = 2400; // ~30 s of stream: snapshots come first

  /** Where a kill lands, judged from the metrics the app committed before it. */
  enum KillPoint {
    BEFORE_FIRST_SNAPSHOT,
    AFTER_SNAPSHOT_BEFORE_FIRST_CHECKPOINT,
    RIGHT_AFTER_RESTORE,
    DURING_CHECKPOINT_WRITE, // the app halts itself inside the transaction writing a checkpoint
    DURING_SLICED_CHECKPOINT, // the app halts itself after some slices of a checkpoint committed
    DURING_SLICED_SNAPSHOT, // the app halts itself after some slices of a snapshot version
    // committed
    DURING_REPLAY, // the app halts itself after a few lines of the replay log
    RIGHT_AFTER_CHECKPOINT,
    RIGHT_AFTER_SNAPSHOT,
    RANDOM
  }

  private Map<String, String> settings() {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    m.put(AppKeys.APPLICATION_ID, "interleave");
    m.put(AppKeys.INPUT_TOPICS, "interleave-text");
    m.put(AppKeys.SNAPSHOTS_TOPIC, "interleave-snapshots");
    m.put(AppKeys.METRICS_TOPIC, "interleave-metrics");
    m.put(AppKeys.DLQ_TOPIC, "interleave-dlq");
    m.put(AppKeys.STATE_DIR, stateDir.toString());
    m.put(AppKeys.METRICS_INTERVAL_MS, "200");
    m.put(AppKeys.COMMIT_INTERVAL_MS, "100");
    m.put(AppKeys.SNAPSHOT_INTERVAL_MS, "1500");
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1000");
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, String.valueOf(CHECKPOINT_RECORDS));
    m.put(AppKeys.CHECKPOINT_SLICE_BYTES, "4096"); // ~26 rows: a checkpoint is ~15 slices
    // blocks of ~8 rows in 4 KiB slices: a version that sends every block takes several slices
    m.put(AppKeys.SNAPSHOT_CHUNK_BYTES, "1000");
    m.put(AppKeys.SNAPSHOT_SLICE_BYTES, "4096");
    // a killed member must time out before its tasks move: the broker's minimum
    m.put("kafka.session.timeout.ms", "6000");
    return m;
  }

  /**
   * The settings of the instance that ends at plan[index]. When snapshots and checkpoints happen
   * never changes the model, so the first two instances stretch them to make their kill points
   * certain whatever the machine's speed: no snapshot before the first kill, no checkpoint before
   * the second.
   */
  private Map<String, String> settings(List<KillPoint> plan, int index) {
    Map<String, String> m = settings();
    KillPoint point = index < plan.size() ? plan.get(index) : KillPoint.RANDOM;
    if (point == KillPoint.BEFORE_FIRST_SNAPSHOT) {
      m.put(AppKeys.SNAPSHOT_INTERVAL_MS, "600000");
      m.put(AppKeys.IDLE_SNAPSHOT_MS, "600000");
    }
    if (point == KillPoint.AFTER_SNAPSHOT_BEFORE_FIRST_CHECKPOINT)
      m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, "1000000");
    return m;
  }

  /** The first kills cover the named interleavings; the rest are drawn from all of them. */
  static List<KillPoint> plan(Random random, int kills) {
    List<KillPoint> plan = new ArrayList<>();
    plan.add(KillPoint.BEFORE_FIRST_SNAPSHOT);
    plan.add(KillPoint.AFTER_SNAPSHOT_BEFORE_FIRST_CHECKPOINT);
    plan.add(KillPoint.RIGHT_AFTER_RESTORE); // twice in a row: killed again while catching up
    plan.add(KillPoint.DURING_CHECKPOINT_WRITE);
    plan.add(KillPoint.DURING_SLICED_CHECKPOINT);
    plan.add(KillPoint.DURING_SLICED_SNAPSHOT);
    plan.add(KillPoint.DURING_REPLAY);
    List<KillPoint> later =
        List.copyOf(
            EnumSet.range(KillPoint.RIGHT_AFTER_RESTORE, KillPoint.RANDOM)); // repeatable ones
    while (plan.size() < kills) plan.add(later.get(random.nextInt(later.size())));
    return plan.subList(0, Math.max(0, kills));
  }

  /** JVM options that make the lifetime ending at point halt itself there. */
  static List<String> crashPointOptions(KillPoint point, Random random) {
    return switch (point) {
      case DURING_CHECKPOINT_WRITE -> List.of("-Dstreamvec.crash-point=checkpoint-written:1");
      // from the third slice on, the slices before it were committed (see CrashPoint)
      case DURING_SLICED_CHECKPOINT ->
          List.of("-Dstreamvec.crash-point=checkpoint-slice-written:" + (3 + random.nextInt(6)));
      case DURING_SLICED_SNAPSHOT ->
          // at the 3rd or 4th slice of a version of about ten (the lifetime's first sends every
          // block), so that its earlier slices are committed (see CrashPoint), and earlier
          // lifetimes left complete versions
          List.of("-Dstreamvec.crash-point=snapshot-slice-written:" + (2 + random.nextInt(2)));
      case DURING_REPLAY ->
          List.of("-Dstreamvec.crash-point=replayed-line:" + (1 + random.nextInt(50)));
      default -> List.of();
    };
  }

  @Test
  void killedAtPlannedMomentsOfALiveStreamTheFinalModelIsTheUninterruptedOne() throws Exception {
    long seed = Long.getLong("streamvec.crash.seed", 20261201L);
    int kills = Integer.getInteger("streamvec.crash.kills", 7);
    Random random = new Random(seed);
    List<KillPoint> plan = plan(random, kills);
    System.err.printf("crash interleavings: seed %d, plan %s%n", seed, plan);
    AppConfig config = AppConfig.of(settings());
    List<String> report = new ArrayList<>();
    List<String> source = TestTexts.generated(400_000, seed);
    app = startLifetime(plan, 0, random);
    LiveStream stream = null;
    try (MetricsFollower metrics = followMetrics(config.get(AppKeys.METRICS_TOPIC))) {
      for (int k = 0; k < plan.size(); k++) {
        KillPoint point = plan.get(k);
        if (point == KillPoint.DURING_CHECKPOINT_WRITE
            || point == KillPoint.DURING_SLICED_CHECKPOINT
            || point == KillPoint.DURING_SLICED_SNAPSHOT
            || point == KillPoint.DURING_REPLAY) {
          report.add(awaitHalt(k, point, metrics));
          if (point == KillPoint.DURING_SLICED_SNAPSHOT
              && report.get(report.size() - 1).contains("halted at the point"))
            report.set(
                report.size() - 1,
                report.get(report.size() - 1) + "; " + lateReaderAfterAHalfVersion(config));
          if (point == KillPoint.DURING_SLICED_CHECKPOINT
              && report.get(report.size() - 1).contains("halted at the point")) {
            // what a restart finds: the committed slices of a checkpoint that never completed
            StateCheck.Report check = StateCheck.run(config);
            assertTrue(
                check.ok()
                    && check.lines().stream().anyMatch(l -> l.startsWith("incomplete checkpoint")),
                String.join("\n", check.lines()));
            report.set(report.size() - 1, report.get(report.size() - 1) + "; " + check.lines());
          }
          boolean deleteState = random.nextBoolean();
          if (deleteState) TestTexts.deleteTree(stateDir);
          report.set(
              report.size() - 1,
              report.get(report.size() - 1) + "; state " + (deleteState ? "deleted" : "kept"));
          System.err.println("crash interleavings: " + report.get(report.size() - 1));
          app = startLifetime(plan, k + 1, random);
          continue;
        }
        awaitNewLifetime(metrics);
        if (stream == null)
          stream =
              new LiveStream(
                  kafka.bootstrapServers(),
                  config.get(AppKeys.INPUT_TOPICS),
                  source,
                  LINES_PER_SECOND);
        long snapshotAtStart = metrics.latest("snapshot_version");
        long checkpointAtStart = metrics.latest("checkpoint_records");
        long replayed = metrics.latest("replayed_records");
        switch (point) {
          case BEFORE_FIRST_SNAPSHOT -> awaitMetric(metrics, "tokens", t -> t > 0);
          case AFTER_SNAPSHOT_BEFORE_FIRST_CHECKPOINT ->
              awaitMetric(metrics, "snapshot_version", v -> v > 0);
          case RIGHT_AFTER_RESTORE, DURING_CHECKPOINT_WRITE, DURING_REPLAY -> {}
          case RIGHT_AFTER_CHECKPOINT ->
              awaitMetric(metrics, "checkpoint_records", c -> c > checkpointAtStart);
          case RIGHT_AFTER_SNAPSHOT ->
              awaitMetric(metrics, "snapshot_version", v -> v > snapshotAtStart);
          case RANDOM -> Thread.sleep(500 + random.nextInt(5000));
        }
        Thread.sleep(random.nextInt(250));
        app.kill();
        metrics.poll(Duration.ofMillis(300)); // what it committed before dying
        boolean deleteState = k == 1 || (k > 2 && random.nextBoolean());
        String outcome =
            String.format(
                "kill %d %s: %d records, %d tokens, snapshot v%d, checkpoint at record %d,"
                    + " %d replayed at its start; state %s",
                k + 1,
                point,
                metrics.latest("records"),
                metrics.latest("tokens"),
                metrics.latest("snapshot_version"),
                metrics.latest("checkpoint_records"),
                replayed,
                deleteState ? "deleted" : "kept");
        report.add(outcome);
        System.err.println("crash interleavings: " + outcome);
        if (point == KillPoint.BEFORE_FIRST_SNAPSHOT)
          assertEquals(0, metrics.latest("snapshot_version"), outcome);
        if (point == KillPoint.AFTER_SNAPSHOT_BEFORE_FIRST_CHECKPOINT)
          assertEquals(0, metrics.latest("checkpoint_records"), "no checkpoint yet: " + outcome);
        if (deleteState) TestTexts.deleteTree(stateDir);
        app = startLifetime(plan, k + 1, random);
      }
      awaitNewLifetime(metrics);
      Thread.sleep(2000); // the last instance learns from the live stream too
      List<String> sent = stream == null ? List.of() : stream.stop();
      KafkaTestClients.assertFinalModelIsTheUninterruptedOne(
          kafka.bootstrapServers(),
          config.get(AppKeys.SNAPSHOTS_TOPIC),
          config.model(),
          sent,
          () -> "seed " + seed + ", " + report);
      long total = TestTexts.tokenCount(config.model(), sent);
      KafkaTestClients.assertSnapshotVersionsIncrease(
          kafka.bootstrapServers(), config.get(AppKeys.SNAPSHOTS_TOPIC));
      app.kill(); // the state check reads what the changelogs hold, as after a crash
      StateCheck.Report check = StateCheck.run(config);
      assertTrue(check.ok(), String.join("\n", check.lines()));
      System.err.printf(
          "crash interleavings: seed %d, %d kills, %d lines, %d tokens: identical%n",
          seed, plan.size(), sent.size(), total);
    } finally {
      if (stream != null) stream.close();
    }
  }

  /**
   * What a reader that starts now gets: the newest complete version, while the topic holds
   * committed blocks of the next, half-written one (the halt came after some of its slices).
   */
  private String lateReaderAfterAHalfVersion(AppConfig config) {
    String topic = config.get(AppKeys.SNAPSHOTS_TOPIC);
    long newestChunk = 0;
    try (var c = KafkaTestClients.consumer(kafka.bootstrapServers())) {
      var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp); // read_committed: the last stable offset
      while (c.position(tp) < end)
        for (var r : c.poll(Duration.ofMillis(200)))
          newestChunk = Math.max(newestChunk, chunkVersion(r.value()));
    }
    try (var reader = io.streamvec.app.snapshots.KafkaSnapshotReader.of(config)) {
      var latest = reader.readLatest(Duration.ofSeconds(30));
      assertEquals(0, reader.assembler().rejectedCount(), reader.assembler().lastRejection());
      long complete = latest.map(s -> s.version).orElse(0L);
      assertTrue(complete > 0, "an earlier lifetime's complete version");
      assertEquals(complete + 1, newestChunk, "committed slices of the next version");
      return "a late reader got version " + complete + " beside part of version " + newestChunk;
    }
  }

  private static long chunkVersion(byte[] value) {
    try {
      return io.streamvec.model.io.SnapshotChunks.parse(value).snapshotVersion();
    } catch (io.streamvec.model.io.InvalidSnapshotException e) {
      throw new AssertionError(e);
    }
  }

  /** The instance that ends at plan[index] (halting itself there, if that point says so). */
  private AppProcess startLifetime(List<KillPoint> plan, int index, Random random)
      throws Exception {
    List<String> options =
        index < plan.size() ? crashPointOptions(plan.get(index), random) : List.of();
    return startApp(settings(plan, index), "384m", options);
  }

  /**
   * Waits for an armed instance to halt itself; when its point never came (a replay log shorter
   * than the armed line), it is killed once it runs, and the report says so.
   */
  private String awaitHalt(int k, KillPoint point, MetricsFollower metrics) throws Exception {
    boolean halted = app.awaitExit(WAIT);
    if (!halted) app.kill();
    metrics.poll(Duration.ofMillis(300));
    return String.format(
        "kill %d %s: %s; last metrics %d records, snapshot v%d, checkpoint at record %d",
        k + 1,
        point,
        halted
            ? "halted at the point (exit " + app.exitValue() + ")"
            : "not reached in time: killed",
        metrics.latest("records"),
        metrics.latest("snapshot_version"),
        metrics.latest("checkpoint_records"));
  }
}
