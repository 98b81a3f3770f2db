package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The in-process broker does what the app needs: transactions, read_committed, restarts. */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedKafkaBrokerTest {

  private static final String TOPIC = "roundtrip";

  @Test
  void transactionalRoundTripSurvivesRestart() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      kafka.createTopic(TOPIC, 3, Map.of("cleanup.policy", "compact"));
      assertEquals("compact", topicConfig(kafka, "cleanup.policy"));

      try (var producer = transactionalProducer(kafka)) {
        produceTransaction(producer, "committed-", 10, true);
        produceTransaction(producer, "aborted-", 5, false);
        assertEquals(expectedValues(10), readCommitted(kafka, 10));

        kafka.restart();

        // The same client reconnects to the same address; the committed records are
        // still there, the aborted ones still invisible, and new transactions work.
        produceTransaction(producer, "after-restart-", 1, true);
      }
      List<String> expected = expectedValues(10);
      expected.add("after-restart-0");
      assertEquals(expected, readCommitted(kafka, 11));
    }
  }

  private static List<String> expectedValues(int n) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < n; i++) values.add("committed-" + i);
    return values;
  }

  private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafkaBroker kafka) {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            "smoke",
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            60_000);
    KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    producer.initTransactions();
    return producer;
  }

  private static void produceTransaction(
      KafkaProducer<String, String> producer, String prefix, int n, boolean commit) {
    producer.beginTransaction();
    // Three partitions, so the reader sorts by the index in the value.
    for (int i = 0; i < n; i++) producer.send(new ProducerRecord<>(TOPIC, "k" + i, prefix + i));
    if (commit) producer.commitTransaction();
    else producer.abortTransaction();
  }

  /**
   * Reads all partitions from the start until {@code expected} records or 30 s; sorted by value
   * index.
   */
  private static List<String> readCommitted(EmbeddedKafkaBroker kafka, int expected)
      throws Exception {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "smoke-" + System.nanoTime(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      Await.holdsWithin(
          () -> {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            return records.size() >= expected;
          },
          Duration.ofSeconds(30));
      // A little longer: anything beyond the expected count (e.g. aborted records) must show up
      // now.
      consumer.poll(Duration.ofMillis(500)).forEach(records::add);
    }
    List<String> values = new ArrayList<>();
    records.stream()
        .sorted((a, b) -> Long.compare(order(a), order(b)))
        .forEach(r -> values.add(r.value()));
    return values;
  }

  /** Sort key: records of later transactions after earlier ones, then by index within one. */
  private static long order(ConsumerRecord<String, String> r) {
    String v = r.value();
    int index = Integer.parseInt(v.substring(v.lastIndexOf('-') + 1));
    return (v.startsWith("committed-") ? 0 : 1_000_000L) + index;
  }

  private static String topicConfig(EmbeddedKafkaBroker kafka, String key) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
    try (Admin admin = kafka.admin()) {
      Config config =
          admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      return config.get(key).value();
    }
  }
}
