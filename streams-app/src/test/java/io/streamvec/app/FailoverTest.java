package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.testing.LiveStream;
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
    onALiveStream(
        "failover",
        TestTexts.generated(55_000, 41),
        (apps, stream, lines) -> {
          AppProcess owner = apps.awaitOwner(20_000);
          long killedAt = System.currentTimeMillis();
          owner.kill();
          long takeoverMs = apps.awaitTakeoverMs(killedAt);
          assertTrue(stream.sentCount() < lines, "the kill must land while the stream still flows");
          System.err.printf(
              "failover test: %s killed after %d records sent; %s took over after %.1f s%n",
              owner.name(), stream.sentCount(), apps.other(owner).name(), takeoverMs / 1000.0);
          // far above the session timeout (10 s): a miss means a failover setting lost its effect
          assertTrue(takeoverMs < 40_000, "takeover took " + takeoverMs + " ms");
          assertTrue(apps.other(owner).trainedTokens().isPresent(), "the survivor trains");
        });
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aRollingRestartLosesAndRepeatsNothing() throws Exception {
    onALiveStream(
        "rolling",
        TestTexts.generated(50_000, 43),
        (apps, stream, lines) -> {
          AppProcess first = apps.awaitOwner(15_000);
          // the owner first (its model moves), then the other (the model moves back)
          for (AppProcess p : List.of(first, apps.other(first))) {
            assertTrue(stream.sentCount() < lines, "each stop must land mid-stream");
            long stopping = System.nanoTime();
            assertEquals(143, p.terminate(STOP), p.name() + ": clean shutdown on SIGTERM");
            double stopSeconds = (System.nanoTime() - stopping) / 1e9;
            p.restart();
            TwoInstances.awaitHealthy(p);
            System.err.printf(
                "rolling restart: %s stopped in %.1f s, back after %.1f s, %d records sent%n",
                p.name(), stopSeconds, (System.nanoTime() - stopping) / 1e9, stream.sentCount());
          }
        });
  }

  /** What a test does to the two instances while the stream flows. */
  private interface Disruption {
    void during(TwoInstances apps, LiveStream stream, int lines) throws Exception;
  }

  /**
   * Two instances of app id app on a live stream of texts (500 lines/s, held at three quarters
   * until the disruption is over, so it lands mid-stream however slow the machine); once every line
   * is in, the final model must be that of an uninterrupted run.
   */
  private void onALiveStream(String app, List<String> texts, Disruption disruption)
      throws Exception {
    try (TwoInstances apps = new TwoInstances(kafka.bootstrapServers(), app, settings())) {
      AppConfig config = AppConfig.of(apps.settings);
      kafka.createTopic(apps.topic(AppKeys.INPUT_TOPICS), 1, Map.of());
      apps.awaitHealthy();
      try (LiveStream stream =
          new LiveStream(
              kafka.bootstrapServers(),
              apps.topic(AppKeys.INPUT_TOPICS),
              texts,
              500,
              1,
              texts.size() * 3 / 4)) {
        disruption.during(apps, stream, texts.size());
        stream.awaitAll(TwoInstances.WAIT);
        assertFinalModelIsTheUninterruptedOne(apps, config, texts);
      }
    }
  }

  private static void assertFinalModelIsTheUninterruptedOne(
      TwoInstances apps, AppConfig config, List<String> texts) {
    String topic = apps.topic(AppKeys.SNAPSHOTS_TOPIC);
    KafkaTestClients.assertFinalModelIsTheUninterruptedOne(
        apps.servers, topic, config.model(), texts, () -> "logs:\n" + apps.logs());
    KafkaTestClients.assertSnapshotVersionsIncrease(apps.servers, topic);
  }
}
