package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamvec.app.config.AppConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The compose stack's Kafka has the three-node shape of {@code broker.sh start --brokers 3} (the
 * stack cannot run here: no Docker engine): every node a voter, internal topics replicated three
 * ways with min ISR 2, and the app and the producer pointed at all three with settings the app
 * accepts.
 */
class ComposeClusterTest {
  final JsonNode services =
      DeployFiles.yaml(DeployFiles.deployDir().resolve("docker-compose.yml")).path("services");

  @Test
  void threeKafkaNodesFormOneQuorumThatSurvivesTheLossOfOne() {
    List<String> nodes = new ArrayList<>();
    services
        .fieldNames()
        .forEachRemaining(
            n -> {
              if (n.startsWith("kafka-")) nodes.add(n);
            });
    assertEquals(List.of("kafka-1", "kafka-2", "kafka-3"), nodes);
    TreeSet<String> voters = new TreeSet<>(), ids = new TreeSet<>(), clusterIds = new TreeSet<>();
    for (String n : nodes) {
      JsonNode env = services.path(n).path("environment");
      ids.add(env.path("KAFKA_NODE_ID").asText());
      voters.add(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText());
      clusterIds.add(env.path("CLUSTER_ID").asText());
      assertEquals("broker,controller", env.path("KAFKA_PROCESS_ROLES").asText(), n);
      assertTrue(
          env.path("KAFKA_ADVERTISED_LISTENERS").asText().contains("PLAINTEXT://" + n + ":19092"),
          n + " advertises itself");
      for (String rf :
          List.of(
              "KAFKA_DEFAULT_REPLICATION_FACTOR",
              "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
              "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"))
        assertEquals(3, env.path(rf).asInt(), n + " " + rf);
      assertEquals(2, env.path("KAFKA_MIN_INSYNC_REPLICAS").asInt(), n);
      assertEquals(2, env.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asInt(), n);
    }
    assertEquals(new TreeSet<>(List.of("1", "2", "3")), ids);
    assertEquals(1, clusterIds.size(), "one cluster id");
    assertEquals(
        new TreeSet<>(List.of("1@kafka-1:29093,2@kafka-2:29093,3@kafka-3:29093")),
        voters,
        "every node lists the same three voters");
  }

  @Test
  void theAppAndTheProducerUseAllThreeNodes() {
    String all = "kafka-1:19092,kafka-2:19092,kafka-3:19092";
    JsonNode app = services.path("app").path("environment");
    assertEquals(all, app.path("STREAMVEC_BOOTSTRAP_SERVERS").asText());
    // the app's own validation accepts what compose sets
    AppConfig c =
        AppConfig.of(
            Map.of(
                "bootstrap.servers", all,
                "replication.factor", app.path("STREAMVEC_REPLICATION_FACTOR").asText(),
                "min.insync.replicas", app.path("STREAMVEC_MIN_INSYNC_REPLICAS").asText()));
    assertEquals(3, c.getInt("replication.factor"));
    assertEquals(2, c.getInt("min.insync.replicas"));
    assertTrue(services.path("producer").path("command").toString().contains("\"" + all + "\""));
    for (String n : List.of("kafka-1", "kafka-2", "kafka-3"))
      assertEquals(
          "service_healthy",
          services.path("app").path("depends_on").path(n).path("condition").asText(),
          "the app waits for " + n);
  }
}
