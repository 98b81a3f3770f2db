package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.LiveStream;
import io.streamvec.app.testing.MetricsFollower;
import io.streamvec.app.topology.StateCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12 as a user met it, at the default model and checkpoint intervals: a live stream, the
 * first snapshot published, SIGKILL before the first checkpoint, the local state deleted (a new
 * machine or a standby taking over), a restart: the final model is the uninterrupted one. Only the
 * snapshot clock is shortened (3 s instead of 60 s) so the test does not wait a minute. Then {@code
 * --check-state} on the same state, and on a deliberately corrupted "meta" record.
 */
@Tag("integration")
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class FirstSnapshotCrashTest extends AppJvmFixture {
  private Map<String, String> settings() {
    Map<String, String> m = new HashMap<>();
    m.put(AppKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    m.put(AppKeys.STATE_DIR, stateDir.toString());
    m.put(AppKeys.SNAPSHOT_INTERVAL_MS, "3000");
    m.put(AppKeys.METRICS_INTERVAL_MS, "200");
    m.put("kafka.session.timeout.ms", "6000");
    return m;
  }

  @Test
  void killedAfterTheFirstSnapshotBeforeAnyCheckpointWithTheStateDeletedItContinuesExactly()
      throws Exception {
    AppConfig config = AppConfig.of(settings());
    startApp(settings(), "768m", List.of());
    List<String> source = TestTexts.generated(300_000, 12);
    List<String> sent;
    try (MetricsFollower metrics = followMetrics(config.get(AppKeys.METRICS_TOPIC));
        LiveStream stream =
            new LiveStream(
                kafka.bootstrapServers(), config.get(AppKeys.INPUT_TOPICS), source, 200)) {
      awaitNewLifetime(metrics);
      awaitMetric(metrics, "snapshot_version", v -> v >= 1);
      assertEquals(0, metrics.latest("checkpoint_records"), "killed before the first checkpoint");
      long recordsAtKill = metrics.latest("records");
      app.kill();
      TestTexts.deleteTree(stateDir);
      startApp(settings(), "768m", List.of());
      awaitNewLifetime(metrics);
      assertTrue(
          metrics.latest("replayed_records") >= recordsAtKill,
          "every record since the start came back from the replay log");
      Thread.sleep(2000);
      sent = stream.stop();
    }
    KafkaTestClients.assertFinalModelIsTheUninterruptedOne(
        kafka.bootstrapServers(),
        config.get(AppKeys.SNAPSHOTS_TOPIC),
        config.model(),
        sent,
        () -> "killed after the first snapshot, state deleted");
    app.kill();

    StateCheck.Report healthy = StateCheck.run(config);
    assertTrue(healthy.ok(), String.join("\n", healthy.lines()));
    assertTrue(String.join("\n", healthy.lines()).contains("OK: a restart continues"));

    corruptMeta(config);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("--check-state"));
    settings().forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
    int code =
        StreamvecApp.run(
            args.toArray(String[]::new), Map.of(), new PrintStream(out), new PrintStream(err));
    String report = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, code, report);
    assertTrue(
        report.contains("record key 'meta' of streamvec-model-global-changelog-0 at offset")
            && report.contains("version 9")
            && report.contains("snapshot export"),
        report);
    assertFalse(report.contains("OK:"), report);
  }

  /** A "meta" record of an unknown version, as a newer or broken writer would leave it. */
  private void corruptMeta(AppConfig config) throws Exception {
    String topic = config.get(AppKeys.APPLICATION_ID) + "-model-global-changelog";
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      p.send(new ProducerRecord<>(topic, 0, "meta", new byte[] {0, 0, 0, 9, 0, 0, 0, 0})).get();
    }
  }
}
