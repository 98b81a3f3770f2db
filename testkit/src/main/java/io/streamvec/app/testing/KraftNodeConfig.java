package io.streamvec.app.testing;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The settings of one node of a test Kafka cluster on loopback: broker and KRaft controller in one
 * server, as {@code deploy/broker.sh} runs them, so tests see what users see. The internal topics
 * are replicated to every node with min.insync.replicas one less (one node: 1 and 1).
 */
public final class KraftNodeConfig {
  private KraftNodeConfig() {}

  /** An admin client on the cluster at bootstrapServers; the caller closes it. */
  public static Admin admin(String bootstrapServers) {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            30_000));
  }

  /**
   * Node id (1..n) of the n = ports.length nodes whose client and controller listeners are ports[i]
   * and controllerPorts[i], its data in logDir. A single node has a dynamic quorum (format it with
   * --standalone), several nodes a static one.
   */
  public static Properties of(int id, int[] ports, int[] controllerPorts, Path logDir) {
    int n = ports.length;
    String minIsr = String.valueOf(Math.max(1, n - 1));
    String listeners =
        "PLAINTEXT://127.0.0.1:"
            + ports[id - 1]
            + ",CONTROLLER://127.0.0.1:"
            + controllerPorts[id - 1];
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(id));
    if (n == 1) {
      p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPorts[0]);
    } else {
      StringJoiner voters = new StringJoiner(",");
      for (int i = 0; i < n; i++) voters.add((i + 1) + "@127.0.0.1:" + controllerPorts[i]);
      p.put("controller.quorum.voters", voters.toString());
    }
    p.put("listeners", listeners);
    p.put("advertised.listeners", listeners);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    p.put("default.replication.factor", String.valueOf(n));
    p.put("offsets.topic.replication.factor", String.valueOf(n));
    p.put("offsets.topic.num.partitions", "8");
    p.put("transaction.state.log.replication.factor", String.valueOf(n));
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("transaction.state.log.num.partitions", "8");
    p.put("share.coordinator.state.topic.replication.factor", String.valueOf(n));
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("group.initial.rebalance.delay.ms", "0");
    // a dead client's open transaction is aborted within 1 s of its timeout, not 10 s: until then
    // no other instance can take over its model (see deploy/broker.sh)
    p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
    // The cleaner's dedupe buffer (128 MB by default) would sit in the test JVM's heap.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
    return p;
  }
}
