package io.streamvec.app.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one server) inside the test JVM,
 * on free loopback ports and a temporary data directory, with the settings of {@link
 * KraftNodeConfig}.
 *
 * <pre>
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
 *     kafka.createTopic("text", 3, Map.of());
 *     ... clients on kafka.bootstrapServers() ...
 * }
 * </pre>
 *
 * {@link #restart()} stops the server and starts a new one on the same data and ports, so a test
 * can take the broker away under a running client and bring it back with its data.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private final Properties config;
  private KafkaRaftServer server;

  private EmbeddedKafkaBroker(
      Path dataDir, int port, int controllerPort, Map<String, String> overrides) {
    this.dataDir = dataDir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.config =
        KraftNodeConfig.of(
            1, new int[] {port}, new int[] {controllerPort}, dataDir.resolve("logs"));
    this.config.putAll(overrides);
  }

  /** Formats a fresh data directory and starts the broker; returns once clients can connect. */
  public static EmbeddedKafkaBroker start() {
    return start(Map.of());
  }

  /** As {@link #start()}, with broker settings added or replaced (e.g. log.cleaner.backoff.ms). */
  public static EmbeddedKafkaBroker start(Map<String, String> brokerOverrides) {
    // A free port can still be bound by another process between the pick and the broker's bind:
    // a failed bind gets a second try on new ports.
    RuntimeException lastFailure = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Path dir = createTempDir();
      int[] ports = FreePorts.several(2);
      EmbeddedKafkaBroker broker =
          new EmbeddedKafkaBroker(dir, ports[0], ports[1], brokerOverrides);
      try {
        broker.format();
        broker.startServer();
        return broker;
      } catch (RuntimeException | Error e) {
        broker.close();
        if (e instanceof Error || !isBindFailure(e)) throw e;
        lastFailure = (RuntimeException) e;
      }
    }
    throw lastFailure;
  }

  /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Creates a topic (replication factor 1) and waits until every partition has a leader. */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    try (Admin admin = admin()) {
      NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
      admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      Await.await(
          "a leader for every partition of " + name,
          () -> allPartitionsLed(admin, name),
          READY_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not create topic " + name + ": " + e.getMessage(), e);
    }
  }

  /** An admin client on this broker; the caller closes it. */
  public Admin admin() {
    return KraftNodeConfig.admin(bootstrapServers());
  }

  /** Stops the broker and starts it again on the same data directory and ports. */
  public void restart() {
    stop();
    startServer();
  }

  /** Stops the broker (a clean shutdown); the data directory stays. Idempotent. */
  public void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Stops the broker and deletes its data directory. */
  @Override
  public void close() {
    try {
      stop();
    } finally {
      deleteRecursively(dataDir);
    }
  }

  private void format() {
    Path file = dataDir.resolve("server.properties");
    try (var out = Files.newBufferedWriter(file)) {
      config.store(out, "EmbeddedKafkaBroker");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    String[] args = {
      "format", "-t", Uuid.randomUuid().toString(), "-c", file.toString(), "--standalone"
    };
    int rc = StorageTool.execute(args, new PrintStream(output, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting "
              + dataDir
              + " failed ("
              + rc
              + "): "
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  private void startServer() {
    KafkaRaftServer started =
        new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
    try {
      started.startup();
      server = started;
      awaitReady();
    } catch (RuntimeException | Error e) {
      started.shutdown();
      started.awaitShutdown();
      server = null;
      throw e;
    }
  }

  /** Ready = the cluster answers an admin request and lists this broker. */
  private void awaitReady() {
    try (Admin admin = admin()) {
      Await.await(
          "the broker on " + bootstrapServers() + " to answer",
          () -> {
            try {
              return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
              return false; // not up yet
            }
          },
          READY_TIMEOUT);
    }
  }

  private static boolean allPartitionsLed(Admin admin, String topic) throws InterruptedException {
    try {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    } catch (ExecutionException e) {
      return false; // metadata not propagated yet
    }
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("streamvec-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}
