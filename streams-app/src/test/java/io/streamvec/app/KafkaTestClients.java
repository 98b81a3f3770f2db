package io.streamvec.app;

import io.streamvec.app.testing.Await;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotAssembler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain Kafka clients, as any user would write them: produce text, read snapshots (read_committed),
 * read a topic.
 */
public final class KafkaTestClients {
  private KafkaTestClients() {}

  public static KafkaProducer<byte[], byte[]> producer(String servers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            servers,
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            // one request in flight: with several, a retried batch of an idempotent producer can
            // loop on OUT_OF_ORDER_SEQUENCE_NUMBER until it expires (KAFKA-14359), which failed
            // corpus writes under load
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
            1,
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            60_000),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /**
   * Sends every text as one record (UTF-8, no key) and waits for all acks; returns their offsets.
   */
  public static List<Long> produce(String servers, String topic, List<String> texts) {
    List<byte[]> values = new ArrayList<>();
    for (String t : texts) values.add(t.getBytes(StandardCharsets.UTF_8));
    return produceBytes(servers, topic, values);
  }

  public static List<Long> produceBytes(String servers, String topic, List<byte[]> values) {
    try (KafkaProducer<byte[], byte[]> p = producer(servers)) {
      List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
      for (byte[] v : values) acks.add(p.send(new ProducerRecord<>(topic, v)));
      List<Long> offsets = new ArrayList<>();
      for (var a : acks) offsets.add(a.get().offset());
      return offsets;
    } catch (Exception e) {
      throw new IllegalStateException("producing to " + topic + " failed", e);
    }
  }

  public static KafkaConsumer<byte[], byte[]> consumer(String servers) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            servers,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            2 * 1024 * 1024),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  /**
   * Reads the snapshots topic from the start until a complete snapshot satisfies done; fails after
   * timeout.
   */
  public static ModelSnapshot awaitSnapshot(
      String servers, String topic, Predicate<ModelSnapshot> done, Duration timeout) {
    SnapshotAssembler assembler = new SnapshotAssembler();
    List<ModelSnapshot> found = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(servers)) {
      c.assign(List.of(new TopicPartition(topic, 0)));
      c.seekToBeginning(c.assignment());
      Await.await(
          () ->
              "a matching snapshot on "
                  + topic
                  + "; latest: "
                  + assembler
                      .latest()
                      .map(s -> "version " + s.version + ", " + s.tokens + " tokens")
                      .orElse("none")
                  + (assembler.rejectedCount() > 0
                      ? "; rejected chunks, last: " + assembler.lastRejection()
                      : ""),
          () -> {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
              Optional<ModelSnapshot> s = assembler.accept(r.value());
              if (s.isPresent() && done.test(s.get())) {
                found.add(s.get());
                return true;
              }
            }
            return false;
          },
          timeout);
    }
    return found.get(0);
  }

  /**
   * Waits for the snapshot on topic that has learned the tokens of lines and checks that it learned
   * each exactly once and is, bit for bit, the model of an uninterrupted offline run over them;
   * context (kills, seed, logs) goes into the failure message.
   */
  public static ModelSnapshot assertFinalModelIsTheUninterruptedOne(
      String servers,
      String topic,
      ModelConfig model,
      List<String> lines,
      Supplier<String> context) {
    long total = TestTexts.tokenCount(model, lines);
    ModelSnapshot last =
        awaitSnapshot(servers, topic, s -> s.tokens >= total, Duration.ofMinutes(2));
    if (last.tokens != total)
      throw new AssertionError(
          "learned " + last.tokens + " tokens, not " + total + " once each; " + context.get());
    if (!last.sameModelAs(TestTexts.reference(model, lines).snapshot(0)))
      throw new AssertionError("not the model of an uninterrupted run; " + context.get());
    return last;
  }

  /**
   * Reads the whole snapshots topic as a new subscriber would and checks what every restart and
   * failover must keep: the versions strictly increase, and no chunk is stale (a version published
   * again after a restart). Returns the versions in topic order.
   */
  public static List<Long> assertSnapshotVersionsIncrease(String servers, String topic) {
    SnapshotAssembler assembler = new SnapshotAssembler();
    List<Long> versions = readSnapshots(servers, topic, assembler);
    for (int i = 1; i < versions.size(); i++)
      if (versions.get(i) <= versions.get(i - 1))
        throw new AssertionError("snapshot versions do not increase: " + versions);
    if (assembler.staleCount() != 0)
      throw new AssertionError(
          assembler.staleCount() + " stale snapshot chunks (a version reused); " + versions);
    return versions;
  }

  /** Versions of the snapshots completed in topic order, read from the start to the end offset. */
  private static List<Long> readSnapshots(
      String servers, String topic, SnapshotAssembler assembler) {
    List<Long> versions = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(servers)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(c.assignment());
      long end = c.endOffsets(List.of(tp)).get(tp);
      Await.await(
          () -> "reading " + tp + " to its end offset " + end,
          () -> {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)))
              assembler.accept(r.value()).ifPresent(s -> versions.add(s.version));
            return c.position(tp) >= end;
          },
          Duration.ofSeconds(60));
    }
    return versions;
  }

  /**
   * Every committed record of partition 0 of topic, once at least n have arrived (or the timeout
   * passed).
   */
  public static List<ConsumerRecord<byte[], byte[]>> read(
      String servers, String topic, int n, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer(servers)) {
      c.assign(List.of(new TopicPartition(topic, 0)));
      c.seekToBeginning(c.assignment());
      Await.holdsWithin(
          () -> {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
            return out.size() >= n;
          },
          timeout);
      // anything more than n that is already there: a test wants to see extras too
      c.poll(Duration.ofMillis(500)).forEach(out::add);
    } catch (Exception e) {
      throw new IllegalStateException("reading " + topic + " failed", e);
    }
    return out;
  }
}
