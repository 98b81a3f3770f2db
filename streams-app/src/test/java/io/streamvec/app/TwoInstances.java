package io.streamvec.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Two instances of the app (separate JVMs, separate state dirs, one application.id) on one broker,
 * and a watcher of the committed metrics records. What the failover test and the takeover
 * measurement share.
 */
final class TwoInstances implements AutoCloseable {
  static final Duration WAIT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  final String servers;
  final Map<String, String> settings;
  final AppProcess a, b;
  private final Path work;
  private final Thread watcher;
  private final List<JsonNode> metrics = new CopyOnWriteArrayList<>();
  private volatile boolean closing;

  /**
   * Starts both instances of app id name with these settings over the test defaults (topics named
   * after the app id, metrics every 200 ms, commits every 100 ms).
   */
  TwoInstances(String servers, String name, Map<String, String> extra) throws Exception {
    this.servers = servers;
    this.work = Files.createTempDirectory("streamvec-two-" + name + "-");
    Map<String, String> m = new HashMap<>();
    m.put(AppKeys.BOOTSTRAP_SERVERS, servers);
    m.put(AppKeys.APPLICATION_ID, name);
    m.put(AppKeys.INPUT_TOPICS, name + "-text");
    m.put(AppKeys.SNAPSHOTS_TOPIC, name + "-snapshots");
    m.put(AppKeys.METRICS_TOPIC, name + "-metrics");
    m.put(AppKeys.DLQ_TOPIC, name + "-dlq");
    m.put(AppKeys.METRICS_INTERVAL_MS, "200");
    m.put(AppKeys.COMMIT_INTERVAL_MS, "100");
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1500");
    m.putAll(extra);
    this.settings = Map.copyOf(m);
    a = AppProcess.start("a", withStateDir("a"), work.resolve("a.log"));
    b = AppProcess.start("b", withStateDir("b"), work.resolve("b.log"));
    watcher = new Thread(this::watchMetrics, "metrics-watcher-" + name);
    watcher.setDaemon(true);
    watcher.start();
  }

  private Map<String, String> withStateDir(String instance) {
    Map<String, String> m = new HashMap<>(settings);
    m.put(AppKeys.STATE_DIR, work.resolve("state-" + instance).toString());
    return m;
  }

  String topic(String key) {
    return settings.get(key);
  }

  /** Every committed metrics record so far, in topic order. */
  List<JsonNode> metrics() {
    return metrics;
  }

  private void watchMetrics() {
    try (KafkaConsumer<byte[], byte[]> c = KafkaTestClients.consumer(servers)) {
      c.assign(List.of(new TopicPartition(topic(AppKeys.METRICS_TOPIC), 0)));
      c.seekToBeginning(c.assignment());
      while (!closing)
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50)))
          metrics.add(JSON.readTree(r.value()));
    } catch (Exception e) {
      if (!closing) throw new IllegalStateException("metrics watcher failed", e);
    }
  }

  /**
   * Waits until the committed metrics show at least minTokens learned, then returns the instance
   * that trains the model. The other must train nothing (one writer).
   */
  AppProcess awaitOwner(long minTokens) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (AppProcess p : List.of(a, b))
        if (!p.isAlive()) throw new AssertionError(p.name() + " died on its own:\n" + p.log());
      if (committedTokens() >= minTokens) {
        var ta = a.trainedTokens();
        var tb = b.trainedTokens();
        if (ta.isPresent() && tb.isPresent())
          throw new AssertionError("both instances train the model: " + ta + " and " + tb);
        if (ta.isPresent()) return a;
        if (tb.isPresent()) return b;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "no instance trained "
            + minTokens
            + " tokens within "
            + WAIT
            + " (committed: "
            + committedTokens()
            + ")\n"
            + logs());
  }

  /** The most tokens a committed metrics record has reported so far. */
  long committedTokens() {
    long max = 0;
    for (JsonNode r : metrics) max = Math.max(max, r.get("tokens").asLong());
    return max;
  }

  /** Waits until Kafka Streams runs on both instances (started, not rebalancing). */
  void awaitHealthy() throws InterruptedException {
    awaitHealthy(a);
    awaitHealthy(b);
  }

  static void awaitHealthy(AppProcess p) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!p.running()) {
      if (!p.isAlive()) throw new AssertionError(p.name() + " died:\n" + p.log());
      if (System.nanoTime() > deadline)
        throw new AssertionError(p.name() + " not up within " + WAIT + ":\n" + p.log());
      Thread.sleep(100);
    }
  }

  AppProcess other(AppProcess p) {
    return p == a ? b : a;
  }

  /**
   * Milliseconds from killedAtMs (epoch) to the first committed metrics record made after it: the
   * survivor's first report, at most metrics.interval.ms after it resumed training.
   */
  long awaitTakeoverMs(long killedAtMs) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode r : metrics) {
        long t = r.get("timestamp_ms").asLong();
        if (t > killedAtMs) return t - killedAtMs;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no instance reported training within " + WAIT + " of the kill");
  }

  String logs() {
    return a.log() + "\n" + b.log();
  }

  @Override
  public void close() throws Exception {
    closing = true;
    a.close();
    b.close();
    watcher.join(5_000);
    TestTexts.deleteTree(work);
  }
}
