package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.testing.ProcessRunner;
import io.streamvec.model.ModelSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The app in a separate JVM, killed with SIGKILL three times while it trains on a 200k-token corpus
 * and restarted each time: the final snapshot must be the model of an uninterrupted run, bit for
 * bit (one input partition, so the order of the records is the topic's).
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  private EmbeddedKafkaBroker kafka;
  private ProcessRunner.Running app;
  private Path stateDir, logFile;

  @BeforeEach
  void setUp() throws Exception {
    kafka = EmbeddedKafkaBroker.start();
    stateDir = Files.createTempDirectory("streamvec-crash-state-");
    logFile = Files.createTempFile("streamvec-crash-app-", ".log");
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
    m.putAll(
        Map.of(
            AppKeys.BOOTSTRAP_SERVERS,
            kafka.bootstrapServers(),
            AppKeys.APPLICATION_ID,
            "crash",
            AppKeys.INPUT_TOPICS,
            "crash-text",
            AppKeys.SNAPSHOTS_TOPIC,
            "crash-snapshots",
            AppKeys.METRICS_TOPIC,
            "crash-metrics",
            AppKeys.DLQ_TOPIC,
            "crash-dlq",
            AppKeys.STATE_DIR,
            stateDir.toString(),
            AppKeys.HTTP_PORT,
            "-1",
            AppKeys.METRICS_INTERVAL_MS,
            "100",
            AppKeys.IDLE_SNAPSHOT_MS,
            "1500"));
    m.putAll(
        Map.of(
            AppKeys.COMMIT_INTERVAL_MS,
            "100",
            AppKeys.CHECKPOINT_INTERVAL_RECORDS,
            "500",
            AppKeys.SNAPSHOT_INTERVAL_TOKENS,
            "40000",
            // a killed instance's group members must time out before a restart gets the tasks: keep
            // it short
            "kafka.session.timeout.ms",
            "6000"));
    return m;
  }

  /**
   * `java -cp <this classpath> io.streamvec.app.StreamvecApp --set k=v ...`, output to a log file.
   */
  private ProcessRunner.Running launch() {
    List<String> args = new ArrayList<>();
    settings()
        .forEach(
            (k, v) -> {
              args.add("--set");
              args.add(k + "=" + v);
            });
    return ProcessRunner.java(List.of("-Xmx384m"), StreamvecApp.class.getName(), args)
        .output(logFile)
        .start();
  }

  @Test
  void killedThreeTimesMidStreamTheFinalModelIsTheUninterruptedOne() throws Exception {
    AppConfig config = AppConfig.of(settings());
    List<String> texts = TestTexts.generated(220_000, 23);
    long total = TestTexts.tokenCount(config.model(), texts);
    long[] killAt = {50_000, 100_000, 150_000};
    List<Long> replayed = new ArrayList<>(), killedAfter = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> metrics =
        KafkaTestClients.consumer(kafka.bootstrapServers())) {
      for (int run = 0; run <= killAt.length; run++) {
        app = launch();
        if (run == 0) {
          awaitTopic(config.get(AppKeys.INPUT_TOPICS));
          KafkaTestClients.produce(
              kafka.bootstrapServers(), config.get(AppKeys.INPUT_TOPICS), texts);
          TopicPartition tp = new TopicPartition(config.get(AppKeys.METRICS_TOPIC), 0);
          metrics.assign(List.of(tp));
        }
        if (run == killAt.length) break;
        // metrics records of a killed instance's open transaction are never committed: what we read
        // is this run's
        List<JsonNode> seen = new ArrayList<>(); // this run's metrics records, first and last
        long target = killAt[run];
        Await.await(
            "run " + run + " to reach " + target + " tokens",
            () -> {
              assertTrue(app.isAlive(), "the app died on its own; log: " + app.tail());
              for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(20))) {
                JsonNode m = JSON.readTree(r.value());
                if (seen.size() == 2) seen.set(1, m);
                else seen.add(m);
              }
              return !seen.isEmpty() && seen.get(seen.size() - 1).get("tokens").asLong() >= target;
            },
            WAIT);
        app.kill(); // SIGKILL: no shutdown hook, no commit
        app.close();
        replayed.add(seen.get(0).get("replayed_records").asLong());
        killedAfter.add(seen.get(seen.size() - 1).get("tokens").asLong());
      }
      ModelSnapshot finalModel =
          KafkaTestClients.awaitSnapshot(
              kafka.bootstrapServers(),
              config.get(AppKeys.SNAPSHOTS_TOPIC),
              s -> s.tokens == total,
              WAIT);
      assertTrue(
          finalModel.sameModelAs(TestTexts.reference(config.model(), texts).snapshot(0)),
          "after 3 kills: not the model of an uninterrupted run (kills after "
              + killedAfter
              + " tokens)");
    }
    assertTrue(
        killedAfter.stream().anyMatch(t -> t < total),
        "at least one kill must land before the end of the input: " + killedAfter);
    assertTrue(
        replayed.subList(1, replayed.size()).stream().anyMatch(r -> r > 0),
        "some restart must have replayed records: " + replayed);
    KafkaTestClients.SnapshotLog log =
        KafkaTestClients.readSnapshots(
            kafka.bootstrapServers(), config.get(AppKeys.SNAPSHOTS_TOPIC));
    for (int i = 1; i < log.versions().size(); i++)
      assertTrue(log.versions().get(i) > log.versions().get(i - 1), "versions " + log.versions());
    assertEquals(0, log.staleChunks(), "no snapshot version was reused after a restart");
    System.err.printf(
        "crash test: kills after %s tokens, replayed records at restart %s, snapshot versions %s%n",
        killedAfter, replayed, log.versions());
    // SIGTERM: the clean shutdown path (hook closes Kafka Streams)
    assertEquals(
        143,
        app.stop(Duration.ofSeconds(60)),
        "a JVM that ran its shutdown hooks on SIGTERM exits with 128 + 15 (137: killed after 60 s)");
  }

  private void awaitTopic(String topic) {
    try (var admin = kafka.admin()) {
      Await.await(
          () -> "the app to create " + topic + "; log: " + app.tail(),
          () -> {
            assertTrue(app.isAlive(), "the app died; log: " + app.tail());
            return admin.listTopics().names().get().contains(topic);
          },
          WAIT);
    }
  }
}
