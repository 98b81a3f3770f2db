package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.testing.FreePorts;
import io.streamvec.app.testing.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no bootstrap.servers anywhere, `produce` starts the project's local broker
 * (deploy/broker.sh, on free ports and a temporary STREAMVEC_HOME here) and writes to it. Runs the
 * command's main() in its own JVM, so the broker script sees the environment a user's shell would
 * give it.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
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
            String.valueOf(ports[1]),
            // this JVM and the broker script's (StorageTool, broker): quick to start on a busy
            // machine; what they do is unchanged
            "JAVA_TOOL_OPTIONS",
            "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    Path input = Files.writeString(dir.resolve("in.txt"), "to the local broker\nand back\n");
    try {
      ProcessRunner.Result produce =
          ProcessRunner.java(
                  List.of(),
                  ProduceCommand.class.getName(),
                  List.of("--no-progress", input.toString()))
              .unsetEnv("STREAMVEC_BOOTSTRAP_SERVERS")
              .env(env)
              .run(Duration.ofSeconds(300));
      String output = produce.out();
      assertEquals(0, produce.exitCode(), produce.tail());
      assertTrue(output.contains("using the local broker"), output);
      assertTrue(
          output.contains("produce: 2 records") && output.contains("127.0.0.1:" + ports[0]),
          output);
      assertEquals(2, endOffset("127.0.0.1:" + ports[0], "text"));
    } finally {
      ProcessRunner.Result stop =
          ProcessRunner.command("bash", root.resolve("deploy/broker.sh").toString(), "stop")
              .env(env)
              .run(Duration.ofSeconds(60));
      assertEquals(0, stop.exitCode(), "broker.sh stop: " + stop.tail());
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
