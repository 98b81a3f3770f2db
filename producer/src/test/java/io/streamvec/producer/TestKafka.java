package io.streamvec.producer;

import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One real in-process broker shared by this module's test classes (stopped when the test JVM
 * exits), and topic reading helpers.
 */
final class TestKafka {
  private static EmbeddedKafkaBroker broker;

  private TestKafka() {}

  static synchronized EmbeddedKafkaBroker broker() {
    if (broker == null) {
      EmbeddedKafkaBroker b = EmbeddedKafkaBroker.start();
      Runtime.getRuntime().addShutdownHook(new Thread(b::close));
      broker = b;
    }
    return broker;
  }

  static String servers() {
    return broker().bootstrapServers();
  }

  /** A record as read back: key (UTF-8) and value bytes. */
  record Rec(String key, byte[] value) {
    String text() {
      return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Rec r && r.key.equals(key) && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
      return key.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return key + "=" + text();
    }
  }

  /**
   * Every record of the topic (all partitions, in partition then offset order), up to its current
   * end.
   */
  static List<Rec> readAll(String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", servers());
    p.put("isolation.level", "read_committed");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps =
          c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
              .toList();
      List<Rec> out = new ArrayList<>();
      for (TopicPartition tp : tps) {
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        long end = c.endOffsets(List.of(tp)).get(tp);
        Await.await(
            "reading " + tp + " to its end offset " + end,
            () -> {
              for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                out.add(
                    new Rec(
                        r.key() == null ? "<null>" : new String(r.key(), StandardCharsets.UTF_8),
                        r.value()));
              }
              return c.position(tp) >= end;
            },
            Duration.ofSeconds(30));
      }
      return out;
    }
  }

  static int partitions(String topic) {
    try (var admin = broker().admin()) {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .size();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Map<String, String> noEnv() {
    return Map.of();
  }
}
