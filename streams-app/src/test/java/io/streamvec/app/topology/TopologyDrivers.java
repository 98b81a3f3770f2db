package io.streamvec.app.topology;

import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.status.TrainingStatus;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The app's topology ({@link StreamvecTopology}) under a TopologyTestDriver, as the topology tests
 * set it up: TestTexts' small model with a test's settings, the driver's state in the test's
 * directory, and topics in the app's formats (bytes in; values are bytes out).
 */
final class TopologyDrivers {
  private TopologyDrivers() {}

  /** TestTexts' small model with overrides on top. */
  static AppConfig smallModel(Map<String, String> overrides) {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.putAll(overrides);
    return AppConfig.of(m);
  }

  static Topology topology(
      AppConfig config, TrainingStatus status, SnapshotListener listener, int inputPartitions) {
    return StreamvecTopology.build(new StreamsBuilder(), config, status, listener, inputPartitions)
        .build();
  }

  /** A driver (close it) over the topology, its state stores under stateDir. */
  static TopologyTestDriver start(AppConfig config, Path stateDir, Topology topology) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.get(AppKeys.APPLICATION_ID));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return new TopologyTestDriver(topology, p);
  }

  static TopologyTestDriver start(
      AppConfig config, Path stateDir, TrainingStatus status, SnapshotListener listener) {
    return start(config, stateDir, topology(config, status, listener, Integer.MAX_VALUE));
  }

  static TestInputTopic<byte[], byte[]> input(TopologyTestDriver driver, String topic) {
    return driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static <K> TestOutputTopic<K, byte[]> output(
      TopologyTestDriver driver, String topic, Deserializer<K> keys) {
    return driver.createOutputTopic(topic, keys, new ByteArrayDeserializer());
  }
}
