package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
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
class CrashRecoveryTest extends AppJvmFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

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
        startApp(settings(), "384m", List.of());
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
        int lifetime = run;
        Await.await(
            () ->
                "run "
                    + lifetime
                    + " to reach "
                    + target
                    + " tokens (last metrics "
                    + seen
                    + "); log: "
                    + app.logTail(4000),
            () -> {
              assertTrue(app.isAlive(), "the app died on its own; log: " + app.logTail(4000));
              for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(20))) {
                JsonNode m = JSON.readTree(r.value());
                if (seen.size() == 2) seen.set(1, m);
                else seen.add(m);
              }
              return !seen.isEmpty() && seen.get(seen.size() - 1).get("tokens").asLong() >= target;
            },
            WAIT);
        app.kill(); // SIGKILL: no shutdown hook, no commit
        replayed.add(seen.get(0).get("replayed_records").asLong());
        killedAfter.add(seen.get(seen.size() - 1).get("tokens").asLong());
      }
      KafkaTestClients.assertFinalModelIsTheUninterruptedOne(
          kafka.bootstrapServers(),
          config.get(AppKeys.SNAPSHOTS_TOPIC),
          config.model(),
          texts,
          () -> "after 3 kills (after " + killedAfter + " tokens)");
    }
    assertTrue(
        killedAfter.stream().anyMatch(t -> t < total),
        "at least one kill must land before the end of the input: " + killedAfter);
    assertTrue(
        replayed.subList(1, replayed.size()).stream().anyMatch(r -> r > 0),
        "some restart must have replayed records: " + replayed);
    List<Long> versions =
        KafkaTestClients.assertSnapshotVersionsIncrease(
            kafka.bootstrapServers(), config.get(AppKeys.SNAPSHOTS_TOPIC));
    System.err.printf(
        "crash test: kills after %s tokens, replayed records at restart %s, snapshot versions %s%n",
        killedAfter, replayed, versions);
    // SIGTERM: the clean shutdown path (hook closes Kafka Streams)
    assertEquals(
        143,
        app.terminate(Duration.ofSeconds(60)),
        "a JVM that ran its shutdown hooks on SIGTERM exits with 128 + 15");
  }
}
