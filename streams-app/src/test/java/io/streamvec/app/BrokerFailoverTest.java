package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.KafkaCluster;
import io.streamvec.app.testing.LiveStream;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.text.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The app (own JVM) on a real three-node cluster (each node its own JVM) with replication.factor=3
 * and min.insync.replicas=2, reading two input partitions (so through the repartition topic): the
 * node that leads the input, repartition and changelog partitions is killed with SIGKILL
 * mid-stream. Training must go on once the leadership has moved, every input line must reach the
 * model exactly once, and the final model must be that of an uninterrupted offline run over the
 * order the repartition topic fixed.
 */
@Tag("integration")
class BrokerFailoverTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final String APP = "cluster";
  private KafkaCluster cluster;
  private AppProcess app;
  private Path work;

  @BeforeEach
  void setUp() throws Exception {
    cluster = KafkaCluster.start(3);
    work = Files.createTempDirectory("streamvec-cluster-app-");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (app != null) app.close();
    if (cluster != null) cluster.close();
    TestTexts.deleteTree(work);
  }

  private Map<String, String> settings() {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
    m.put(AppKeys.APPLICATION_ID, APP);
    m.put(AppKeys.INPUT_TOPICS, APP + "-text");
    m.put(AppKeys.INPUT_PARTITIONS, "2");
    m.put(AppKeys.SNAPSHOTS_TOPIC, APP + "-snapshots");
    m.put(AppKeys.METRICS_TOPIC, APP + "-metrics");
    m.put(AppKeys.DLQ_TOPIC, APP + "-dlq");
    m.put(AppKeys.REPLICATION_FACTOR, "3");
    m.put(AppKeys.MIN_INSYNC_REPLICAS, "2");
    m.put(AppKeys.STATE_DIR, work.resolve("state").toString());
    m.put(AppKeys.COMMIT_INTERVAL_MS, "100");
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, "500");
    m.put(AppKeys.SNAPSHOT_INTERVAL_TOKENS, "30000");
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1500");
    // keep what the repartition topic carried (Kafka Streams deletes consumed records): it is the
    // order the model learned in, which the reference run follows
    m.put("kafka.repartition.purge.interval.ms", String.valueOf(Long.MAX_VALUE));
    return m;
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void killingTheLeaderBrokerMidStreamLosesAndRepeatsNothing() throws Exception {
    Map<String, String> settings = settings();
    AppConfig config = AppConfig.of(settings);
    List<String> texts = TestTexts.generated(80_000, 47);
    app = AppProcess.start("app", settings, work.resolve("app.log"));
    String input = config.get(AppKeys.INPUT_TOPICS);
    String repartition = APP + "-model-repartition";
    List<String> led =
        List.of(
            input,
            repartition,
            APP + "-model-rows-changelog",
            APP + "-model-global-changelog",
            APP + "-replay-log-changelog");
    try (Admin admin = cluster.admin()) {
      awaitTopics(admin, led);
      try (LiveStream stream =
          new LiveStream(cluster.bootstrapServers(), input, texts, 400, 2, texts.size() * 9 / 10)) {
        awaitTokens(15_000, Duration.ofSeconds(60));
        int victim = leaderOf(admin, repartition, 0);
        leadAllFrom(admin, led, victim);
        for (String t : led) assertAllLedBy(admin, t, victim);
        long before = awaitTokens(25_000, Duration.ofSeconds(30));
        int sentAtKill = stream.sentCount();
        assertTrue(sentAtKill < texts.size(), "the kill must land mid-stream");
        cluster.kill(victim);
        long killedAt = System.nanoTime();
        // the stream is held at 90% until the kill, so at least a tenth of the text is learned
        // after it, however slowly the setup above ran
        stream.release();
        // the controller fences the dead node after broker.session.timeout.ms (9 s), then the
        // clients find the new leaders
        awaitTokens(before + 5_000, Duration.ofSeconds(60));
        System.err.printf(
            "broker failover: node %d killed after %d records sent, %d tokens; training went on after %.1f s%n",
            victim, sentAtKill, before, (System.nanoTime() - killedAt) / 1e9);
        for (String t : led)
          for (TopicPartitionInfo p : describe(admin, t).partitions())
            assertTrue(
                p.leader() != null && p.leader().id() != victim && p.isr().size() == 2,
                t + " partition " + p.partition() + " after the kill: " + p);
        stream.awaitAll(WAIT);
      }
      long total = TestTexts.tokenCount(config.model(), texts);
      ModelSnapshot last =
          KafkaTestClients.awaitSnapshot(
              cluster.bootstrapServers(),
              config.get(AppKeys.SNAPSHOTS_TOPIC),
              s -> s.tokens >= total,
              WAIT);
      assertEquals(total, last.tokens, "every token learned exactly once");
      List<String> order = committedValues(repartition, texts.size());
      assertEquals(tokenLines(config, texts), sorted(order), "each input line trained once");
      Learner reference = new Learner(config.model());
      for (String line : order) reference.learn(Arrays.asList(line.split(" ")));
      assertTrue(
          last.sameModelAs(reference.snapshot(0)),
          "not the model of an uninterrupted run over the repartition order; app log:\n"
              + app.log());
    }
  }

  private long awaitTokens(long min) throws InterruptedException {
    return awaitTokens(min, WAIT);
  }

  private long awaitTokens(long min, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      assertTrue(app.isAlive(), "the app died:\n" + app.log());
      var t = app.trainedTokens();
      if (t.isPresent() && t.getAsLong() >= min) return t.getAsLong();
      Thread.sleep(100);
    }
    throw new AssertionError(
        "the app did not reach " + min + " tokens within " + wait + ":\n" + app.log());
  }

  private static TopicDescription describe(Admin admin, String topic) throws Exception {
    return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
  }

  private void awaitTopics(Admin admin, List<String> topics) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!admin.listTopics().names().get().containsAll(topics)) {
      assertTrue(app.isAlive(), "the app died:\n" + app.log());
      assertTrue(System.nanoTime() < deadline, "topics " + topics + " missing:\n" + app.log());
      Thread.sleep(200);
    }
    for (String t : topics)
      for (TopicPartitionInfo p : describe(admin, t).partitions())
        assertEquals(3, p.replicas().size(), t + " replication factor");
  }

  private static int leaderOf(Admin admin, String topic, int partition) throws Exception {
    Node leader = describe(admin, topic).partitions().get(partition).leader();
    return leader.id();
  }

  /**
   * Makes node victim the preferred and actual leader of every partition of the topics: its replica
   * goes first in each assignment, then a preferred-leader election.
   */
  private static void leadAllFrom(Admin admin, List<String> topics, int victim) throws Exception {
    Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
    for (String t : topics)
      for (TopicPartitionInfo p : describe(admin, t).partitions()) {
        List<Integer> order = new ArrayList<>(List.of(victim));
        for (Node n : p.replicas()) if (n.id() != victim) order.add(n.id());
        moves.put(
            new TopicPartition(t, p.partition()), Optional.of(new NewPartitionReassignment(order)));
      }
    admin.alterPartitionReassignments(moves).all().get();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!admin.listPartitionReassignments().reassignments().get().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "reassignment did not finish");
      Thread.sleep(100);
    }
    try {
      admin.electLeaders(ElectionType.PREFERRED, Set.copyOf(moves.keySet())).all().get();
    } catch (java.util.concurrent.ExecutionException e) {
      // ElectionNotNeeded for partitions the victim already leads
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.ElectionNotNeededException))
        throw e;
    }
  }

  private static void assertAllLedBy(Admin admin, String topic, int node) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      boolean all =
          describe(admin, topic).partitions().stream()
              .allMatch(p -> p.leader() != null && p.leader().id() == node);
      if (all) return;
      assertTrue(System.nanoTime() < deadline, topic + " not led by node " + node);
      Thread.sleep(100);
    }
  }

  /** The committed values of partition 0 of topic, in order, once n have arrived. */
  private List<String> committedValues(String topic, int n) {
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r :
        KafkaTestClients.read(cluster.bootstrapServers(), topic, n, WAIT))
      out.add(new String(r.value(), StandardCharsets.UTF_8));
    return out;
  }

  private static List<String> tokenLines(AppConfig config, List<String> texts) {
    Tokenizer tokenizer = new Tokenizer(config.model().maxLineChars);
    List<String> lines = new ArrayList<>();
    for (String t : texts) lines.add(String.join(" ", tokenizer.tokenize(t)));
    return sorted(lines);
  }

  private static List<String> sorted(List<String> lines) {
    TreeMap<String, Integer> counts = new TreeMap<>();
    for (String l : lines) counts.merge(l, 1, Integer::sum);
    List<String> out = new ArrayList<>();
    counts.forEach((l, c) -> out.add(l + " x" + c));
    return out;
  }
}
