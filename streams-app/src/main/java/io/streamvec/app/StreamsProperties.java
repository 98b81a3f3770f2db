package io.streamvec.app;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams configuration of the app, from its config keys (kafka.* passes straight
 * through).
 */
public final class StreamsProperties {
  private StreamsProperties() {}

  /**
   * Kafka's default limit on a produce request (and the brokers' on a record batch is about the
   * same).
   */
  static final int KAFKA_DEFAULT_MAX_REQUEST = 1_048_576;

  /** Room for the key, headers and batch framing around a snapshot chunk. */
  static final int RECORD_OVERHEAD = 64 * 1024;

  /**
   * Largest record the app produces: a snapshot chunk, a global-state piece or a token line; never
   * below Kafka's default.
   */
  public static int maxRecordBytes(AppConfig c) {
    return Math.max(
        KAFKA_DEFAULT_MAX_REQUEST, c.getInt(AppKeys.SNAPSHOT_CHUNK_BYTES) + RECORD_OVERHEAD);
  }

  /**
   * The producers' batch.size unless a kafka.* key sets it. A checkpoint or snapshot slice (8 MB by
   * default) goes to one partition of one topic, and the commit after it waits until the broker has
   * every byte: in Kafka's default 16 KB batches that is about 500 produce requests (one batch per
   * partition per request, at most 5 in flight), and on a busy machine the stream thread sat
   * 0.1-0.9 s in each such commit while the learner thread ran out of lines (bench/RESULTS.md,
   * session 9). Below the brokers' default record batch limit (message.max.bytes, 1 MB + 12 B), so
   * every topic of a default broker takes it; a partition's buffer is this big only while it holds
   * that much.
   */
  static final int PRODUCER_BATCH_BYTES = 512 * 1024;

  public static Properties of(AppConfig c) {
    Properties p = new Properties();
    // Defaults a kafka.* setting may override. Two threads: with several input partitions,
    // validating and tokenizing (tasks 0_x) runs beside training (task 1_0) instead of taking
    // turns with it. With one input partition there is one task (see StreamvecTopology) and the
    // second thread waits idle, which costs next to nothing.
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, PRODUCER_BATCH_BYTES);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    p.putAll(c.kafkaClientProperties());
    // The app's own keys win: they are the documented way to set these.
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, c.get(AppKeys.APPLICATION_ID));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, c.get(AppKeys.PROCESSING_GUARANTEE));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, c.getLong(AppKeys.COMMIT_INTERVAL_MS));
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, c.getInt(AppKeys.REPLICATION_FACTOR));
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir(c).toString());
    int minInsync = c.getInt(AppKeys.MIN_INSYNC_REPLICAS);
    if (minInsync > 0)
      p.put(
          StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
          String.valueOf(minInsync));
    // How fast another instance takes over a dead one's model (README, "Several instances").
    // Earlier users set these as kafka.*: that form still wins while the app key is not given.
    failoverSetting(p, c, AppKeys.STANDBY_REPLICAS, StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG);
    failoverSetting(p, c, AppKeys.SESSION_TIMEOUT_MS, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
    failoverSetting(
        p, c, AppKeys.HEARTBEAT_INTERVAL_MS, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
    failoverSetting(
        p, c, AppKeys.TRANSACTION_TIMEOUT_MS, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
    StateStoreMemory.configure(p, c); // one bounded block cache for every RocksDB store
    // a snapshot chunk must fit one produce request, whatever a kafka.* override says
    int needed = maxRecordBytes(c);
    String key = StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    Object given = p.getOrDefault(key, p.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    try {
      p.put(key, Math.max(needed, given == null ? 0 : Integer.parseInt(given.toString().trim())));
    } catch (NumberFormatException e) {
      throw new ConfigException(
          "config key 'kafka."
              + ProducerConfig.MAX_REQUEST_SIZE_CONFIG
              + "' = '"
              + given
              + "' is not a whole number of bytes");
    }
    return p;
  }

  private static void failoverSetting(Properties p, AppConfig c, String appKey, String kafkaKey) {
    boolean onlyKafkaForm = c.isGiven(AppConfig.KAFKA_PREFIX + kafkaKey) && !c.isGiven(appKey);
    if (!onlyKafkaForm) p.put(kafkaKey, c.getInt(appKey));
  }

  /**
   * Kafka Streams keeps each app's state in state.dir/application.id, so the default state.dir is
   * .streamvec/state.
   */
  static Path stateDir(AppConfig c) {
    String dir = c.get(AppKeys.STATE_DIR);
    return (dir.isBlank() ? Path.of(".streamvec", "state") : Path.of(dir)).toAbsolutePath();
  }
}
