package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code deploy/broker.sh} (behind {@code ./streamvec broker}) runs a real broker a client can use,
 * is idempotent, refuses a taken port, and leaves no process behind. Runs on free ports and a
 * temporary STREAMVEC_HOME, so it never touches a developer's broker on 9092.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LocalBrokerScriptTest {

  static final String QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3); // includes a first build

  private Path home;
  private Path otherHome;
  private int port;
  private int controllerPort;

  @BeforeEach
  void setUp() throws IOException {
    home = Files.createTempDirectory("streamvec-home-");
    otherHome = Files.createTempDirectory("streamvec-home-other-");
    int[] ports = FreePorts.several(2);
    port = ports[0];
    controllerPort = ports[1];
  }

  @AfterEach
  void tearDown() throws Exception {
    // Whatever happened above, no broker outlives the test.
    script(home, "stop");
    brokerPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    EmbeddedKafkaBroker.deleteRecursively(home);
    EmbeddedKafkaBroker.deleteRecursively(otherHome);
  }

  @Test
  void startUseStatusStop() throws Exception {
    String address = "127.0.0.1:" + port;
    DeployScript.Result start = script(home, "start");
    assertEquals(0, start.exitCode(), start.stderr());
    assertEquals(address, start.stdout().strip(), "start prints only the bootstrap address");
    long pid = brokerPid().orElseThrow();

    DeployScript.Result again = script(home, "start");
    assertEquals(0, again.exitCode(), again.stderr());
    assertEquals(address, again.stdout().strip());
    assertEquals(pid, brokerPid().orElseThrow(), "a second start must not start a second broker");

    assertEquals(
        List.of("hello from the script test"), roundTrip(address, "hello from the script test"));

    DeployScript.Result status = script(home, "status");
    assertEquals(0, status.exitCode(), status.stderr());
    assertEquals(address, status.stdout().strip());

    // Another state dir on the same ports: the port is taken by a process that is not its broker.
    DeployScript.Result clash = script(otherHome, "start");
    assertNotEquals(0, clash.exitCode());
    assertTrue(clash.stderr().contains("already in use"), clash.stderr());

    DeployScript.Result stop = script(home, "stop");
    assertEquals(0, stop.exitCode(), stop.stderr());
    assertFalse(
        ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
        "broker process left running");
    assertFalse(Files.exists(home.resolve("broker/broker.pid")));

    assertEquals(3, script(home, "status").exitCode(), "status of a stopped broker");
    assertEquals(0, script(home, "stop").exitCode(), "stop when not running is fine");
  }

  @Test
  void aThreeNodeClusterStartsAnswersAndStopsAsOne() throws Exception {
    // node i listens on port + 2(i-1) and controllerPort + 2(i-1): six free ports in a row
    port = consecutiveFreePorts(6);
    controllerPort = port + 1;
    DeployScript.Result start = script(home, "start", "--brokers", "3");
    assertEquals(0, start.exitCode(), start.stderr());
    String servers = "127.0.0.1:" + port + ",127.0.0.1:" + (port + 2) + ",127.0.0.1:" + (port + 4);
    assertEquals(servers, start.stdout().strip(), "start prints every node's address");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
      assertEquals(3, admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).size());
      admin
          .createTopics(List.of(new NewTopic("replicated", 1, (short) 3)))
          .all()
          .get(60, TimeUnit.SECONDS);
    }
    DeployScript.Result single = script(home, "start");
    assertNotEquals(0, single.exitCode(), "a single broker must not start beside the cluster");
    assertTrue(single.stderr().contains("3-node cluster is running"), single.stderr());
    DeployScript.Result status = script(home, "status");
    assertEquals(0, status.exitCode(), status.stderr());
    assertEquals(servers, status.stdout().strip());
    List<Long> pids = new ArrayList<>();
    for (int i = 1; i <= 3; i++)
      pids.add(
          Long.parseLong(
              Files.readString(home.resolve("cluster/node-" + i + "/broker.pid")).strip()));
    assertEquals(0, script(home, "logs").exitCode());
    DeployScript.Result stop = script(home, "stop");
    assertEquals(0, stop.exitCode(), stop.stderr());
    for (long pid : pids)
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "left running");
    assertEquals(3, script(home, "status").exitCode(), "status of a stopped cluster");
  }

  private static int consecutiveFreePorts(int n) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = FreePorts.one();
      if (base + n > 65535) continue;
      java.util.List<java.net.ServerSocket> held = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++)
          held.add(
              new java.net.ServerSocket(base + i, 1, java.net.InetAddress.getLoopbackAddress()));
        return base;
      } catch (IOException taken) {
        // try another base
      } finally {
        for (var s : held)
          try {
            s.close();
          } catch (IOException ignored) {
            // a probe socket
          }
      }
    }
    throw new IllegalStateException("no " + n + " consecutive free ports found");
  }

  private List<String> roundTrip(String servers, String value) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
      admin
          .createTopics(List.of(new NewTopic("script-test", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Map<String, Object> producerConfig =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            servers,
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            30_000);
    try (var producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("script-test", "key", value)).get(30, TimeUnit.SECONDS);
    }
    Map<String, Object> consumerConfig =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
            ConsumerConfig.GROUP_ID_CONFIG, "script-test",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> values = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("script-test"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200)))
          values.add(r.value());
      }
    }
    return values;
  }

  private java.util.Optional<Long> brokerPid() throws IOException {
    Path pidFile = home.resolve("broker/broker.pid");
    if (!Files.exists(pidFile)) return java.util.Optional.empty();
    return java.util.Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
  }

  private DeployScript.Result script(Path stateDir, String... command) throws Exception {
    return DeployScript.of("broker.sh")
        .env(
            Map.of(
                "STREAMVEC_HOME",
                stateDir.toString(),
                "STREAMVEC_BROKER_PORT",
                String.valueOf(port),
                "STREAMVEC_CONTROLLER_PORT",
                String.valueOf(controllerPort),
                // the script's JVMs (StorageTool, brokers) as the test cluster's: quick to start on
                // a busy machine; what the script does with them is unchanged
                "JAVA_TOOL_OPTIONS",
                QUICK_JVM))
        .timeout(SCRIPT_TIMEOUT)
        .run(command);
  }
}
