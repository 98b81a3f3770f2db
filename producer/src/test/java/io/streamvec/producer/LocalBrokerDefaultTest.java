package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.testing.FreePorts;
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

/**
 * With no bootstrap.servers anywhere, `produce` starts the project's local broker
 * (deploy/broker.sh, on free ports and a temporary STREAMVEC_HOME here) and writes to it. Runs the
 * command's main() in its own JVM, so the broker script sees the environment a user's shell would
 * give it.
 */
class LocalBrokerDefaultTest {
  @TempDir Path dir;

  static Path repoRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent())
      if (Files.isRegularFile(d.resolve("deploy/broker.sh"))) return d;
    throw new IllegalStateException(
        "deploy/broker.sh not found above " + Path.of("").toAbsolutePath());
  }

  @Test
  void produceWithoutBootstrapServersStartsAndUsesTheLocalBroker() throws Exception {
    Path root = repoRoot();
    int[] ports = FreePorts.several(2);
    Map<String, String> env =
        Map.of(
            "STREAMVEC_ROOT",
            root.toString(),
            "STREAMVEC_HOME",
            dir.resolve("home").toString(),
            "STREAMVEC_BROKER_PORT",
            String.valueOf(ports[0]),
            "STREAMVEC_CONTROLLER_PORT",
            String.valueOf(ports[1]));
    Path input = Files.writeString(dir.resolve("in.txt"), "to the local broker\nand back\n");
    try {
      String java = ProcessHandle.current().info().command().orElse("java");
      ProcessBuilder pb =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  ProduceCommand.class.getName(),
                  "--no-progress",
                  input.toString())
              .redirectErrorStream(true);
      pb.environment().remove("STREAMVEC_BOOTSTRAP_SERVERS");
      pb.environment().putAll(env);
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), "produce did not finish");
      assertEquals(0, p.exitValue(), output);
      assertTrue(output.contains("using the local broker"), output);
      assertTrue(
          output.contains("produce: 2 records") && output.contains("127.0.0.1:" + ports[0]),
          output);
      assertEquals(2, endOffset("127.0.0.1:" + ports[0], "text"));
    } finally {
      ProcessBuilder stop =
          new ProcessBuilder("bash", root.resolve("deploy/broker.sh").toString(), "stop")
              .redirectErrorStream(true);
      stop.environment().putAll(env);
      Process p = stop.start();
      p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "broker.sh stop hung");
    }
    assertFalse(Files.exists(dir.resolve("home/broker/broker.pid")), "the broker is stopped");
  }

  private static long endOffset(String servers, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      return c.endOffsets(List.of(tp)).get(tp);
    }
  }
}
