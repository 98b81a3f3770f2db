package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.model.ModelSnapshot;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two instances of the app (separate JVMs, one application.id, standby.replicas=1) on a live,
 * rate-limited stream: killing the one that trains the model (SIGKILL) makes the other continue it,
 * and restarting them one at a time (SIGTERM, each back before the next) moves the model back and
 * forth; either way the final model is bit-identical to an uninterrupted offline run, so nothing
 * was lost or learned twice.
 */
@Tag("integration")
// the timeouts leave room for a loaded machine (2-3 min each at load average 25 on 2 cores)
class FailoverTest {
  private static final Duration STOP = Duration.ofSeconds(60);
  private EmbeddedKafkaBroker kafka;

  @BeforeEach
  void setUp() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterEach
  void tearDown() {
    if (kafka != null) kafka.close();
  }

  static Map<String, String> settings() {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.STANDBY_REPLICAS, "1");
    // checkpoints early and often, so the kill lands between checkpoints with a replay log to redo
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, "500");
    m.put(AppKeys.SNAPSHOT_INTERVAL_TOKENS, "30000");
    return m;
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void theSurvivorOfASigkillContinuesTheModelExactly() throws Exception {
    List<String> texts = TestTexts.generated(55_000, 41);
    try (TwoInstances apps = new TwoInstances(kafka.bootstrapServers(), "failover", settings())) {
      AppConfig config = AppConfig.of(apps.settings);
      kafka.createTopic(apps.topic(AppKeys.INPUT_TOPICS), 1, Map.of());
      apps.awaitHealthy();
      try (SteadyStream stream =
          new SteadyStream(
              kafka.bootstrapServers(),
              apps.topic(AppKeys.INPUT_TOPICS),
              texts,
              500,
              1,
              texts.size() * 3 / 4)) {
        AppProcess owner = apps.awaitOwner(20_000);
        long killedAt = System.currentTimeMillis();
        owner.kill();
        long takeoverMs = apps.awaitTakeoverMs(killedAt);
        assertTrue(stream.sent() < texts.size(), "the kill must land while the stream still flows");
        System.err.printf(
            "failover test: %s killed after %d records sent; %s took over after %.1f s%n",
            owner.name(), stream.sent(), apps.other(owner).name(), takeoverMs / 1000.0);
        // far above the session timeout (10 s): a miss means a failover setting lost its effect
        assertTrue(takeoverMs < 40_000, "takeover took " + takeoverMs + " ms");
        stream.awaitAll(TwoInstances.WAIT);
        assertFinalModelIsTheUninterruptedOne(apps, config, texts);
        assertTrue(apps.other(owner).trainedTokens().isPresent(), "the survivor trains");
      }
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aRollingRestartLosesAndRepeatsNothing() throws Exception {
    List<String> texts = TestTexts.generated(50_000, 43);
    try (TwoInstances apps = new TwoInstances(kafka.bootstrapServers(), "rolling", settings())) {
      AppConfig config = AppConfig.of(apps.settings);
      kafka.createTopic(apps.topic(AppKeys.INPUT_TOPICS), 1, Map.of());
      apps.awaitHealthy();
      try (SteadyStream stream =
          new SteadyStream(
              kafka.bootstrapServers(),
              apps.topic(AppKeys.INPUT_TOPICS),
              texts,
              500,
              1,
              texts.size() * 3 / 4)) {
        AppProcess first = apps.awaitOwner(15_000);
        // the owner first (its model moves), then the other (the model moves back)
        for (AppProcess p : List.of(first, apps.other(first))) {
          assertTrue(stream.sent() < texts.size(), "each stop must land mid-stream");
          long stopping = System.nanoTime();
          assertEquals(143, p.terminate(STOP), p.name() + ": clean shutdown on SIGTERM");
          double stopSeconds = (System.nanoTime() - stopping) / 1e9;
          p.restart();
          TwoInstances.awaitHealthy(p);
          System.err.printf(
              "rolling restart: %s stopped in %.1f s, back after %.1f s, %d records sent%n",
              p.name(), stopSeconds, (System.nanoTime() - stopping) / 1e9, stream.sent());
        }
        stream.awaitAll(TwoInstances.WAIT);
        assertFinalModelIsTheUninterruptedOne(apps, config, texts);
      }
    }
  }

  private static void assertFinalModelIsTheUninterruptedOne(
      TwoInstances apps, AppConfig config, List<String> texts) {
    long total = TestTexts.tokenCount(config.model(), texts);
    String topic = apps.topic(AppKeys.SNAPSHOTS_TOPIC);
    ModelSnapshot last =
        KafkaTestClients.awaitSnapshot(
            apps.servers, topic, s -> s.tokens >= total, TwoInstances.WAIT);
    assertEquals(total, last.tokens, "every token learned exactly once");
    assertTrue(
        last.sameModelAs(TestTexts.reference(config.model(), texts).snapshot(0)),
        "not the model of an uninterrupted run; logs:\n" + apps.logs());
    KafkaTestClients.SnapshotLog log = KafkaTestClients.readSnapshots(apps.servers, topic);
    for (int i = 1; i < log.versions().size(); i++)
      assertTrue(log.versions().get(i) > log.versions().get(i - 1), "versions " + log.versions());
    assertEquals(0, log.staleChunks(), "no snapshot version was published twice");
  }
}
