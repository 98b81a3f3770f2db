package io.streamvec.app.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka cluster of n nodes on loopback, each node a broker and a KRaft controller in its own
 * JVM ({@code java -cp <this classpath> kafka.Kafka server.properties}), so a test can SIGKILL one
 * the way a machine dies. Internal topics are replicated n ways with min.insync.replicas n-1, as
 * {@code deploy/broker.sh start --brokers 3} does.
 *
 * <pre>
 * try (KafkaCluster cluster = KafkaCluster.start(3)) {
 *     ... clients on cluster.bootstrapServers() ...
 *     cluster.kill(2);
 * }
 * </pre>
 */
public final class KafkaCluster implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

  private final Path dir;
  private final int[] ports, controllerPorts;
  private final List<Process> nodes = new ArrayList<>();

  private KafkaCluster(Path dir, int n) {
    this.dir = dir;
    int[] all = FreePorts.several(2 * n);
    ports = java.util.Arrays.copyOfRange(all, 0, n);
    controllerPorts = java.util.Arrays.copyOfRange(all, n, 2 * n);
  }

  /** Formats n data directories with one cluster id, starts every node, waits until all serve. */
  public static KafkaCluster start(int n) throws IOException {
    KafkaCluster c = new KafkaCluster(Files.createTempDirectory("streamvec-cluster-"), n);
    try {
      String clusterId = Uuid.randomUuid().toString();
      for (int id = 1; id <= n; id++) c.format(id, clusterId);
      for (int id = 1; id <= n; id++) c.nodes.add(c.launch(id));
      c.awaitReady();
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Every node's client address, for bootstrap.servers. */
  public String bootstrapServers() {
    StringJoiner j = new StringJoiner(",");
    for (int p : ports) j.add("127.0.0.1:" + p);
    return j.toString();
  }

  /** SIGKILL of node id (1..n): no controlled shutdown, its partitions lose their leader. */
  public void kill(int id) throws InterruptedException {
    nodes.get(id - 1).destroyForcibly().waitFor();
  }

  public boolean isAlive(int id) {
    return nodes.get(id - 1).isAlive();
  }

  /** The node's output (Kafka's log at the test log level). */
  public String log(int id) throws IOException {
    return Files.readString(dir.resolve("node-" + id + ".log"));
  }

  public Admin admin() {
    return KraftNodeConfig.admin(bootstrapServers());
  }

  Properties config(int id) {
    return KraftNodeConfig.of(id, ports, controllerPorts, dir.resolve("data-" + id));
  }

  private void format(int id, String clusterId) throws IOException {
    Path file = dir.resolve("server-" + id + ".properties");
    try (var out = Files.newBufferedWriter(file)) {
      config(id).store(out, "KafkaCluster node " + id);
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    String[] args = {"format", "-t", clusterId, "-c", file.toString()};
    int rc = StorageTool.execute(args, new PrintStream(output, true, StandardCharsets.UTF_8));
    if (rc != 0)
      throw new IllegalStateException(
          "formatting node "
              + id
              + " failed ("
              + rc
              + "): "
              + output.toString(StandardCharsets.UTF_8));
  }

  private Process launch(int id) throws IOException {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-Xms64m",
            // quick to start on a busy machine; throughput hardly matters for a test cluster
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            "kafka.Kafka",
            dir.resolve("server-" + id + ".properties").toString());
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("node-" + id + ".log").toFile())
        .start();
  }

  /** Ready = every node is registered and unfenced (an admin request lists all of them). */
  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        for (int id = 1; id <= nodes.size(); id++)
          if (!isAlive(id))
            throw new IllegalStateException("node " + id + " exited during startup:\n" + log(id));
        try {
          if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == nodes.size())
            return;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // not up yet
        }
        if (System.nanoTime() > deadline)
          throw new IllegalStateException(
              "cluster " + bootstrapServers() + " not ready after " + READY_TIMEOUT);
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the cluster", e);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Kills every node and deletes the data. */
  @Override
  public void close() {
    for (Process p : nodes) {
      try {
        p.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    EmbeddedKafkaBroker.deleteRecursively(dir);
  }
}
