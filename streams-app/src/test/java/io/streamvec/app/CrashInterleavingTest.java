package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppJvm;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.testing.LiveStream;
import io.streamvec.app.testing.MetricsFollower;
import io.streamvec.app.topology.StateCheck;
import io.streamvec.model.ModelSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Randomized crash test on a live stream: text arrives at a steady rate while the app (its own JVM)
 * trains, publishes snapshots and metrics and writes checkpoints at small intervals, so they
 * interleave; the app is killed with SIGKILL at planned moments (before the first snapshot, after a
 * snapshot but before the first checkpoint, right after a checkpoint or a snapshot, right after a
 * restore, at a random time), its local state kept or deleted (a new machine) before each restart.
 * The final model must equal an uninterrupted run over the lines the stream sent, bit for bit.
 *
 * <p>Seeded: the plan comes from {@code -Dstreamvec.crash.seed} (printed on every run, so a failure
 * is replayed with the same seed) and has {@code -Dstreamvec.crash.kills} kills; {@code
 * bench/crash-soak.sh} runs long variants over many seeds.
 */
@Tag("integration")
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class CrashInterleavingTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final double LINES_PER_SECOND = 80;
  private static final int CHECKPOINT_RECORDS = 2400; // ~30 s of stream: snapshots come first

  /** Where a kill lands, judged from the metrics the app committed before it. */
  enum KillPoint {
    BEFORE_FIRST_SNAPSHOT,
    AFTER_SNAPSHOT_BEFORE_FIRST_CHECKPOINT,
    RIGHT_AFTER_RESTORE,
    RIGHT_AFTER_CHECKPOINT,
    RIGHT_AFTER_SNAPSHOT,
    RANDOM
  }

  private EmbeddedKafkaBroker kafka;
  private Path stateDir;
  private Path logFile;
  private AppJvm app;

  @BeforeEach
  void setUp() throws Exception {
    kafka = EmbeddedKafkaBroker.start();
    stateDir = Files.createTempDirectory("streamvec-interleave-state-");
    logFile = Files.createTempFile("streamvec-interleave-app-", ".log");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (app != null) app.close();
    if (kafka != null) kafka.close();
    TestTexts.deleteTree(stateDir);
    Files.deleteIfExists(logFile);
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
    m.put(AppKeys.HTTP_PORT, "-1");
    m.put(AppKeys.METRICS_INTERVAL_MS, "200");
    m.put(AppKeys.COMMIT_INTERVAL_MS, "100");
    m.put(AppKeys.SNAPSHOT_INTERVAL_MS, "1500");
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1000");
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, String.valueOf(CHECKPOINT_RECORDS));
    // a killed member must time out before its tasks move: the broker's minimum
    m.put("kafka.session.timeout.ms", "6000");
    return m;
  }

  /** The first kills cover the named interleavings; the rest are drawn from all of them. */
  static List<KillPoint> plan(Random random, int kills) {
    List<KillPoint> plan = new ArrayList<>();
    plan.add(KillPoint.BEFORE_FIRST_SNAPSHOT);
    plan.add(KillPoint.AFTER_SNAPSHOT_BEFORE_FIRST_CHECKPOINT);
    plan.add(KillPoint.RIGHT_AFTER_RESTORE); // twice in a row: killed again while catching up
    List<KillPoint> later =
        List.copyOf(
            EnumSet.range(KillPoint.RIGHT_AFTER_RESTORE, KillPoint.RANDOM)); // repeatable ones
    while (plan.size() < kills) plan.add(later.get(random.nextInt(later.size())));
    return plan.subList(0, Math.max(0, kills));
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
    app = AppJvm.start(settings(), "384m", logFile);
    LiveStream stream = null;
    try (MetricsFollower metrics = awaitMetricsTopic(config)) {
      for (int k = 0; k < plan.size(); k++) {
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
        KillPoint point = plan.get(k);
        switch (point) {
          case BEFORE_FIRST_SNAPSHOT -> awaitMetric(metrics, "tokens", t -> t > 0);
          case AFTER_SNAPSHOT_BEFORE_FIRST_CHECKPOINT ->
              awaitMetric(metrics, "snapshot_version", v -> v > 0);
          case RIGHT_AFTER_RESTORE -> {}
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
        app = AppJvm.start(settings(), "384m", logFile);
      }
      awaitNewLifetime(metrics);
      Thread.sleep(2000); // the last instance learns from the live stream too
      List<String> sent = stream == null ? List.of() : stream.stop();
      long total = TestTexts.tokenCount(config.model(), sent);
      ModelSnapshot last =
          KafkaTestClients.awaitSnapshot(
              kafka.bootstrapServers(),
              config.get(AppKeys.SNAPSHOTS_TOPIC),
              s -> s.tokens == total,
              WAIT);
      assertTrue(
          last.sameModelAs(TestTexts.reference(config.model(), sent).snapshot(0)),
          "seed " + seed + ": not the model of an uninterrupted run; " + report);
      assertSnapshotVersionsNeverRepeat(config);
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

  private MetricsFollower awaitMetricsTopic(AppConfig config) throws Exception {
    String topic = config.get(AppKeys.METRICS_TOPIC);
    long deadline = System.nanoTime() + WAIT.toNanos();
    try (var admin = kafka.admin()) {
      while (!admin.listTopics().names().get().contains(topic)) {
        assertTrue(System.nanoTime() < deadline && app.isAlive(), app.logTail(4000));
        Thread.sleep(100);
      }
    }
    return new MetricsFollower(kafka.bootstrapServers(), topic);
  }

  /** Waits for the first metrics record of the instance just started: it runs. */
  private void awaitNewLifetime(MetricsFollower metrics) throws InterruptedException {
    long before = metrics.received();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (metrics.received() == before) {
      assertTrue(app.isAlive(), "the app died on its own: " + app.logTail(4000));
      assertTrue(System.nanoTime() < deadline, "no metrics from the app: " + app.logTail(4000));
      metrics.poll(Duration.ofMillis(50));
    }
  }

  private void awaitMetric(MetricsFollower metrics, String field, LongPredicate done) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.test(metrics.latest(field))) {
      assertTrue(app.isAlive(), "the app died on its own: " + app.logTail(4000));
      assertTrue(
          System.nanoTime() < deadline,
          field + " never reached the kill point; last " + metrics.latest(field));
      metrics.poll(Duration.ofMillis(20));
    }
  }

  private void assertSnapshotVersionsNeverRepeat(AppConfig config) {
    KafkaTestClients.SnapshotLog log =
        KafkaTestClients.readSnapshots(
            kafka.bootstrapServers(), config.get(AppKeys.SNAPSHOTS_TOPIC));
    for (int i = 1; i < log.versions().size(); i++)
      assertTrue(log.versions().get(i) > log.versions().get(i - 1), "versions " + log.versions());
    assertEquals(0, log.staleChunks(), "no snapshot version was reused after a restart");
  }
}
