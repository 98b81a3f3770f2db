package io.streamvec.app;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the app's topics when they are missing, with the settings they need:
 *
 * <ul>
 *   <li>input topics: {@code input.partitions} partitions, the broker's defaults otherwise;
 *   <li>snapshots: one partition, {@code cleanup.policy=compact}. Each chunk key ("model/i") keeps
 *       its newest value, so the newest snapshot is always complete on the topic however long the
 *       model has been idle, and the topic stays about one snapshot big. Time retention could
 *       delete the only copy of an idle model's snapshot; size retention could cut one in half.
 *       Segments roll hourly so an idle topic still gets compacted;
 *   <li>history: one partition, {@code cleanup.policy=delete}, {@code history.retention.ms} (7
 *       days): compact snapshots over time; how far back drift and time travel reach;
 *   <li>metrics: {@code cleanup.policy=delete}, 7 days: a time series, old points may go;
 *   <li>dlq: {@code cleanup.policy=delete}, 30 days: long enough to inspect and replay refusals.
 * </ul>
 *
 * Existing topics are left as they are (a warning if the snapshots topic is not compacted). Every
 * broker call is bounded: an unreachable broker fails the start within ~30 s.
 */
public final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final long DAY_MS = 24L * 3600 * 1000;

  private TopicSetup() {}

  /** The topics the app needs: name -> (partitions, configs). */
  public static Map<String, NewTopic> specs(AppConfig c) {
    short rf = (short) c.getInt(AppKeys.REPLICATION_FACTOR);
    Map<String, NewTopic> m = new LinkedHashMap<>();
    for (String t : c.models().inputTopics())
      m.put(t, new NewTopic(t, c.getInt(AppKeys.INPUT_PARTITIONS), rf).configs(Map.of()));
    m.put(
        c.get(AppKeys.SNAPSHOTS_TOPIC),
        new NewTopic(c.get(AppKeys.SNAPSHOTS_TOPIC), 1, rf)
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        String.valueOf(StreamsProperties.maxRecordBytes(c)),
                    TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(3600_000L))));
    m.put(
        c.historyTopic(),
        new NewTopic(c.historyTopic(), 1, rf)
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, c.get(AppKeys.HISTORY_RETENTION_MS).trim(),
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        String.valueOf(StreamsProperties.maxRecordBytes(c)))));
    m.put(
        c.get(AppKeys.METRICS_TOPIC),
        new NewTopic(c.get(AppKeys.METRICS_TOPIC), 1, rf)
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    String.valueOf(7 * DAY_MS))));
    m.put(
        c.get(AppKeys.DLQ_TOPIC),
        new NewTopic(c.get(AppKeys.DLQ_TOPIC), 1, rf)
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    String.valueOf(30 * DAY_MS))));
    int minInsync = c.getInt(AppKeys.MIN_INSYNC_REPLICAS);
    if (minInsync > 0)
      for (NewTopic t : m.values()) {
        Map<String, String> configs = new LinkedHashMap<>(t.configs());
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(minInsync));
        t.configs(configs);
      }
    return m;
  }

  /** Creates the missing topics; returns the names created. */
  public static List<String> ensure(AppConfig c) {
    return ensure(c, TIMEOUT);
  }

  /**
   * Partitions of all input topics together, as they are now (after {@link #ensure}). The app reads
   * it once at start to choose its topology shape (see StreamvecTopology).
   */
  public static int inputPartitions(AppConfig c) {
    String where = "Kafka at " + c.bootstrapServers();
    Admin admin = admin(c, TIMEOUT, where);
    try {
      // A topic created a moment ago (by this instance or one starting beside it) may not have
      // reached every broker's metadata yet: a retriable answer is asked again until TIMEOUT.
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        try {
          var topics =
              call(
                  admin.describeTopics(c.models().inputTopics()).allTopicNames(),
                  TIMEOUT,
                  "cannot describe the input topics on " + where);
          return topics.values().stream().mapToInt(t -> t.partitions().size()).sum();
        } catch (StartupException e) {
          if (!retriable(e) || System.nanoTime() > deadline) throw e;
          Thread.sleep(200);
        }
      }
    } catch (TimeoutException e) {
      throw new StartupException(
          "timed out after " + TIMEOUT.toSeconds() + " s talking to " + where, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while describing the input topics", e);
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
  }

  private static Admin admin(AppConfig c, Duration timeout, String where) {
    Properties p = c.kafkaClientProperties();
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis() / 3);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try {
      return Admin.create(p);
    } catch (KafkaException e) {
      throw new StartupException(
          "cannot connect to " + where + ": " + rootMessage(e) + " (check bootstrap.servers)", e);
    }
  }

  /** As {@link #ensure(AppConfig)}, every broker call bounded by timeout. */
  public static List<String> ensure(AppConfig c, Duration timeout) {
    String where = "Kafka at " + c.bootstrapServers();
    Admin admin = admin(c, timeout, where);
    try {
      call(
          admin.describeCluster().nodes(),
          timeout,
          "cannot reach "
              + where
              + " within "
              + timeout.toSeconds()
              + " s: is the broker running and bootstrap.servers right? (the local broker: ./streamvec broker start)");
      Set<String> existing =
          call(admin.listTopics().names(), timeout, "cannot list the topics of " + where);
      Map<String, NewTopic> wanted = specs(c);
      List<NewTopic> missing = new ArrayList<>();
      for (NewTopic t : wanted.values()) if (!existing.contains(t.name())) missing.add(t);
      List<String> created = new ArrayList<>();
      for (var e : admin.createTopics(missing).values().entrySet()) {
        try {
          e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          created.add(e.getKey());
          LOG.info("created topic {} {}", e.getKey(), wanted.get(e.getKey()).configs());
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException))
            throw new StartupException(
                "cannot create topic " + e.getKey() + " on " + where + ": " + rootMessage(ex), ex);
        }
      }
      String snapshots = c.get(AppKeys.SNAPSHOTS_TOPIC);
      if (existing.contains(snapshots)) warnIfNotCompacted(admin, snapshots, timeout);
      return created;
    } catch (TimeoutException e) {
      throw new StartupException(
          "timed out after " + timeout.toSeconds() + " s talking to " + where, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while setting up topics", e);
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
  }

  private static void warnIfNotCompacted(Admin admin, String topic, Duration timeout)
      throws InterruptedException, TimeoutException {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    var config =
        call(admin.describeConfigs(List.of(r)).all(), timeout, "cannot describe topic " + topic)
            .get(r);
    var policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
    if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      LOG.warn(
          "topic {} exists with cleanup.policy={}: new subscribers may not find a complete snapshot once old records expire; "
              + "use cleanup.policy=compact",
          topic,
          policy == null ? "?" : policy.value());
    }
  }

  private static <T> T call(
      org.apache.kafka.common.KafkaFuture<T> f, Duration timeout, String failure)
      throws InterruptedException, TimeoutException {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new StartupException(failure + ": " + rootMessage(e), e);
    } catch (TimeoutException e) {
      throw new StartupException(failure, e);
    }
  }

  private static boolean retriable(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause())
      if (t instanceof org.apache.kafka.common.errors.RetriableException) return true;
    return false;
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
