package io.streamvec.app.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows the app's metrics topic (read_committed: a killed instance's open transaction never
 * shows) and keeps the newest record: what a crash test aims its kills by.
 */
public final class MetricsFollower implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private JsonNode latest;
  private long received;

  public MetricsFollower(String servers, String topic) {
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    TopicPartition tp = new TopicPartition(topic, 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
  }

  /** Reads what arrived within up to wait; returns the newest record so far (null: none yet). */
  public JsonNode poll(Duration wait) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
      try {
        latest = JSON.readTree(r.value());
        received++;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return latest;
  }

  /** Records read so far. */
  public long received() {
    return received;
  }

  /** A field of the newest record as a long (-1 when there is none yet). */
  public long latest(String field) {
    return latest == null ? -1 : latest.path(field).asLong(-1);
  }

  @Override
  public void close() {
    consumer.close();
  }
}
