package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.snapshots.FreePorts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBrokerFallbackTest {
  @TempDir Path dir;

  @Test
  void bootstrapServersCountAsConfiguredFromEverySource() throws Exception {
    Map<String, String> none = Map.of();
    assertFalse(LocalBrokerFallback.configured(new String[] {"--set", "snapshots.topic=x", "file.txt"}, none));
    assertTrue(LocalBrokerFallback.configured(new String[] {"--bootstrap-servers", "h:1"}, none));
    assertTrue(LocalBrokerFallback.configured(new String[] {"--bootstrap-servers=h:1"}, none));
    assertTrue(LocalBrokerFallback.configured(new String[] {"--set", "bootstrap.servers=h:1"}, none));
    assertTrue(LocalBrokerFallback.configured(new String[0], Map.of("STREAMVEC_BOOTSTRAP_SERVERS", "h:1")));
    Path with = Files.writeString(dir.resolve("with.properties"), "bootstrap.servers=h:1\n");
    Path without = Files.writeString(dir.resolve("without.properties"), "snapshots.topic=s\n");
    assertTrue(LocalBrokerFallback.configured(new String[] {"--config", with.toString()}, none));
    assertTrue(LocalBrokerFallback.configured(new String[] {"--config=" + with}, none));
    assertFalse(LocalBrokerFallback.configured(new String[] {"--config", without.toString()}, none));
  }

  @Test
  void theRepositoryRootIsFoundFromTheEnvironmentOrTheClassLocation() throws Exception {
    assertEquals(Path.of("/some/where"), LocalBrokerFallback.repoRoot(Map.of("STREAMVEC_ROOT", "/some/where")));
    Path found = LocalBrokerFallback.repoRoot(Map.of());
    assertTrue(Files.isRegularFile(found.resolve("deploy/broker.sh")), found.toString());
  }

  /** The real path: no Kafka named anywhere, so produce starts the local broker (deploy/broker.sh) and writes to it. */
  @Test
  void produceWithoutBootstrapServersStartsAndUsesTheLocalBroker() throws Exception {
    Path root = LocalBrokerFallback.repoRoot(Map.of());
    int[] ports = FreePorts.several(2);
    Map<String, String> env = Map.of("STREAMVEC_ROOT", root.toString(), "STREAMVEC_HOME", dir.resolve("home").toString(),
        "STREAMVEC_BROKER_PORT", String.valueOf(ports[0]), "STREAMVEC_CONTROLLER_PORT", String.valueOf(ports[1]));
    Path input = Files.writeString(dir.resolve("in.txt"), "to the local broker\nand back\n");
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
      int code = ProduceCommand.run(new String[] {"--no-progress", input.toString()}, new ByteArrayInputStream(new byte[0]),
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
      assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
      assertTrue(err.toString(StandardCharsets.UTF_8).contains("using the local broker"), err.toString(StandardCharsets.UTF_8));
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("2 records") && out.toString(StandardCharsets.UTF_8).contains("127.0.0.1:" + ports[0]));
      assertEquals(2, endOffset("127.0.0.1:" + ports[0], "text"));
    } finally {
      ProcessBuilder stop = new ProcessBuilder("bash", root.resolve("deploy/broker.sh").toString(), "stop").redirectErrorStream(true);
      stop.environment().putAll(env);
      Process p = stop.start();
      p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "broker.sh stop hung");
    }
    Path pid = dir.resolve("home/broker/broker.pid");
    assertFalse(Files.exists(pid), "the broker is stopped");
  }

  private static long endOffset(String servers, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      return c.endOffsets(List.of(tp)).get(tp);
    }
  }
}
