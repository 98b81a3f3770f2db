package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.ConfigException;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The failover and replication keys reach Kafka Streams and the topics under Kafka's own names,
 * checked by Kafka's StreamsConfig itself; keys that bound each other are refused together.
 */
class FailoverConfigTest {

  @Test
  void failoverKeysBecomeTheKafkaSettings() {
    AppConfig c =
        AppConfig.of(
            Map.of(
                "standby.replicas", "1",
                "session.timeout.ms", "9000",
                "heartbeat.interval.ms", "3000",
                "transaction.timeout.ms", "20000"));
    StreamsConfig streams = new StreamsConfig(StreamsProperties.of(c));
    assertEquals(1, streams.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
    Map<String, Object> consumer = streams.getMainConsumerConfigs("g", "c", 0);
    assertEquals(9000, consumer.get("session.timeout.ms"));
    assertEquals(3000, consumer.get("heartbeat.interval.ms"));
    assertEquals(20000, streams.getProducerConfigs("p").get("transaction.timeout.ms"));
  }

  @Test
  void theDefaultsTakeOverWithinSecondsAndKafkaFormsStillWork() {
    Properties defaults = StreamsProperties.of(AppConfig.defaults());
    assertEquals(0, defaults.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
    assertEquals(6000, defaults.get("session.timeout.ms"), "Kafka's 45 s is a 45 s takeover");
    // set the Kafka way (kafka.*) and not the app way: the kafka.* value stays in force
    Properties kafkaForm =
        StreamsProperties.of(
            AppConfig.of(
                Map.of("kafka.session.timeout.ms", "8000", "kafka.num.standby.replicas", "2")));
    assertEquals("8000", kafkaForm.get("session.timeout.ms"));
    assertEquals("2", kafkaForm.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
    // both given: the app key wins, as for every app key
    Properties both =
        StreamsProperties.of(
            AppConfig.of(Map.of("kafka.session.timeout.ms", "8000", "session.timeout.ms", "7000")));
    assertEquals(7000, both.get("session.timeout.ms"));
  }

  @Test
  void minInsyncReplicasGoesOnEveryTopicTheAppCreates() {
    AppConfig c = AppConfig.of(Map.of("replication.factor", "3", "min.insync.replicas", "2"));
    for (NewTopic t : TopicSetup.specs(c).values()) {
      assertEquals(3, t.replicationFactor(), t.name());
      assertEquals("2", t.configs().get("min.insync.replicas"), t.name());
    }
    StreamsConfig streams = new StreamsConfig(StreamsProperties.of(c));
    assertEquals(3, streams.getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG));
    assertEquals(
        "2", streams.originalsWithPrefix(StreamsConfig.TOPIC_PREFIX).get("min.insync.replicas"));
    // 0 = the broker's own default: nothing is set
    AppConfig plain = AppConfig.defaults();
    for (NewTopic t : TopicSetup.specs(plain).values())
      assertFalse(t.configs().containsKey("min.insync.replicas"), t.name());
    assertFalse(StreamsProperties.of(plain).containsKey("topic.min.insync.replicas"));
  }

  @Test
  void keysThatBoundEachOtherAreRefusedTogether() {
    assertRefused(
        Map.of("replication.factor", "2", "min.insync.replicas", "3"), "min.insync.replicas");
    assertRefused(
        Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "6000"),
        "heartbeat.interval.ms");
    assertRefused(
        Map.of("commit.interval.ms", "10000", "transaction.timeout.ms", "10000"),
        "transaction.timeout.ms");
    assertRefused(Map.of("standby.replicas", "-1"), "standby.replicas");
  }

  private static void assertRefused(Map<String, String> settings, String key) {
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.of(settings));
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
  }
}
