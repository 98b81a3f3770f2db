package io.streamvec.app;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import io.streamvec.app.config.LocalBroker;
import io.streamvec.app.config.ModelsConfig;
import io.streamvec.app.metrics.HistoryMetricsBinder;
import io.streamvec.app.metrics.MetricsSetup;
import io.streamvec.app.query.HistoryFollower;
import io.streamvec.app.query.ModelCatalog;
import io.streamvec.app.query.ModelOwners;
import io.streamvec.app.query.QueryServer;
import io.streamvec.app.query.SnapshotHistory;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.app.topology.ModelStateException;
import io.streamvec.app.topology.SnapshotListener;
import io.streamvec.app.topology.StateCheck;
import io.streamvec.app.topology.StreamvecTopology;
import io.streamvec.model.ModelSnapshot;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streamvec Kafka Streams application: learns word embeddings online from the input topics and
 * publishes snapshots, metrics and dead letters (see {@link StreamvecTopology}).
 *
 * <p>How to run:
 *
 * <pre>
 *   ./streamvec app                                   # local broker (started if needed), defaults
 *   ./streamvec app --set bootstrap.servers=kafka:9092 --set dim=50 --set http.port=8081
 *   ./streamvec app --config streamvec.properties     # STREAMVEC_* environment variables work too
 *   ./streamvec app --help | --print-config
 * </pre>
 *
 * SIGTERM (Ctrl-C) closes it cleanly; a crash at any moment loses and repeats nothing.
 */
public final class StreamvecApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamvecApp.class);
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  static final String USAGE =
      """
      usage: ./streamvec app [--config FILE] [--set key=value]... [--help] [--print-config]
                             [--check-state]
        Learns word embeddings from the text on the input topics, exactly once; publishes model
        snapshots, one metrics record per interval and every unusable record (with its reason) to
        their topics; serves queries over HTTP. Topics are created when missing. Without
        bootstrap.servers the local broker (./streamvec broker) is used and started if needed.
        Settings: defaults < --config FILE < environment STREAMVEC_<KEY> < --set key=value.
        --check-state: reads the stored model state (the changelog topics of application.id)
        without training, restores it as a restart would and reports where it would continue, or
        which record stops it and what to do; exit code 0 when restorable, 1 when not.
      """;

  private final AppConfig config;
  private final TrainingStatus status;
  private final KafkaStreams streams;
  private final QueryServer query; // null when http.port = -1
  private final MetricsSetup metrics; // served on the query server's port
  private ModelCatalog catalog; // every model on the snapshots topic, for the query server
  private HistoryFollower history; // every model's compact snapshots over time, for the same
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean failed;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  private StreamvecApp(AppConfig config, Consumer<ModelSnapshot> listener, int inputPartitions) {
    this.config = config;
    this.status = new TrainingStatus(config.get(AppKeys.MODEL_ID));
    int port = config.getInt(AppKeys.HTTP_PORT);
    // the query side serves each snapshot as soon as it is handed to Kafka (an immutable copy:
    // reads never block training)
    this.query =
        port < 0
            ? null
            : new QueryServer(
                config.get(AppKeys.HTTP_HOST),
                port,
                this::streamsState,
                config.get(AppKeys.MODEL_ID),
                history(config),
                () -> history(config));
    SnapshotListener served =
        (model, snapshot) -> {
          listener.accept(snapshot);
          if (query != null) query.update(model, snapshot);
        };
    Properties props = StreamsProperties.of(config);
    String instance = query == null ? null : MetricsSetup.instanceName(config, query.port());
    // interactive-query metadata then names the instance that trains each model (/v1/models)
    if (instance != null) props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, instance);
    StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
    this.streams =
        new KafkaStreams(
            StreamvecTopology.build(builder, config, status, served, inputPartitions).build(),
            props);
    this.metrics =
        query == null
            ? null
            : MetricsSetup.create(config, status, streams, instance, MetricsSetup.KAFKA_REFRESH);
    if (metrics != null) {
      metrics.mount(query.httpServer());
      // every model's drift meters, tagged with its name, from its first snapshot on
      query.onNewModel(
          (name, history) -> new HistoryMetricsBinder(name, history).bindTo(metrics.registry()));
    }
    if (query != null) {
      query.addLive("/v1/status", () -> status.latest().toJsonMap());
      ModelsConfig models = config.models();
      query.owners(
          new ModelOwners(
              streams,
              StreamvecTopology.GLOBAL_STORE,
              name -> models.names().contains(name) || (models.byKey() && models.admitsNew())),
          instance);
    }
    streams.setUncaughtExceptionHandler(
        e -> {
          if (causedBy(e, ModelStateException.class)) {
            LOG.error("the model state cannot be restored exactly; stopping", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          }
          // input never throws (bad records are dead letters); this is the broker or the machine:
          // retry with a fresh thread
          LOG.error("a stream thread failed; replacing it", e);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.setStateListener(
        (now, before) -> {
          LOG.info("streams state {} -> {}", before, now);
          if (now == KafkaStreams.State.ERROR) failed = true;
          if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING)
            stopped.countDown();
        });
  }

  /** Creates missing topics, then starts training; listener hears every published snapshot. */
  public static StreamvecApp start(AppConfig config, Consumer<ModelSnapshot> listener) {
    List<String> created = TopicSetup.ensure(config);
    if (!created.isEmpty()) LOG.info("created topics {}", created);
    int inputPartitions = TopicSetup.inputPartitions(config);
    LOG.info(
        "{} input partition(s): {}",
        inputPartitions,
        inputPartitions == 1
            ? "training follows validation in one task (no repartition topic)"
            : "one repartition topic orders them for training");
    StreamvecApp app = new StreamvecApp(config, listener, inputPartitions);
    app.streams.start();
    if (app.query != null)
      app.history =
          HistoryFollower.start(
              config.kafkaClientProperties(), config.historyTopic(), app.query::history);
    if (app.query != null)
      app.catalog =
          ModelCatalog.start(
              config.kafkaClientProperties(),
              config.get(AppKeys.SNAPSHOTS_TOPIC),
              app.query::updateCommitted);
    LOG.info(
        "{} learning from {} on {}; snapshots -> {}, history -> {}, metrics -> {}, dead letters -> {}; {}",
        describeModels(config.models()),
        config.models().inputTopics(),
        config.bootstrapServers(),
        config.get(AppKeys.SNAPSHOTS_TOPIC),
        config.historyTopic(),
        config.get(AppKeys.METRICS_TOPIC),
        config.get(AppKeys.DLQ_TOPIC),
        app.query == null
            ? "HTTP off"
            : "query API on http://"
                + config.get(AppKeys.HTTP_HOST)
                + ":"
                + app.httpPort()
                + "/v1/model, Prometheus on "
                + config.get(AppKeys.METRICS_PATH));
    return app;
  }

  private static SnapshotHistory history(AppConfig config) {
    return new SnapshotHistory(
        config.getInt(AppKeys.HISTORY_SNAPSHOTS),
        config.getInt(AppKeys.HISTORY_WORDS),
        config.getInt(AppKeys.DRIFT_DAMPING_COUNT),
        true);
  }

  private static String describeModels(ModelsConfig models) {
    if (models.single()) return "model '" + models.defaultModel() + "'";
    StringBuilder b = new StringBuilder("models " + models.names());
    if (models.byKey())
      b.append(" by record key").append(models.admitsNew() ? " (new ones admitted)" : "");
    else b.append(" by topic ").append(models.topicToModel());
    b.append(", over ").append(models.partitions()).append(" model partition(s)");
    for (String name : models.names())
      try {
        models.modelConfig(name);
      } catch (ConfigException e) {
        LOG.error("{}: this model will not train (the others do)", e.getMessage());
      }
    return b.toString();
  }

  public static StreamvecApp start(AppConfig config) {
    return start(config, s -> {});
  }

  public AppConfig config() {
    return config;
  }

  public TrainingStatus status() {
    return status;
  }

  public KafkaStreams streams() {
    return streams;
  }

  private String streamsState() {
    KafkaStreams k = streams; // null while the constructor runs
    return k == null ? "CREATED" : k.state().name();
  }

  /** The port of the query API and /metrics, or -1 when HTTP is off. */
  public int httpPort() {
    return query == null ? -1 : query.port();
  }

  /** Blocks until the app stops; true if it stopped because it failed. */
  public boolean awaitStop() throws InterruptedException {
    stopped.await();
    return failed;
  }

  /**
   * Commits and leaves the consumer group, so a restarted app gets its tasks at once instead of
   * after the session timeout.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true))
      return; // the shutdown hook and an owner may both call it
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(CLOSE_TIMEOUT));
    if (metrics != null) metrics.close();
    if (catalog != null) catalog.close();
    if (history != null) history.close();
    if (query != null) query.close();
    stopped.countDown();
  }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>();
    AppConfig config;
    try {
      config = AppConfig.load(args, env, rest);
    } catch (ConfigException e) {
      err.println("app: " + e.getMessage());
      return 2;
    }
    boolean help = false;
    boolean print = false;
    boolean checkState = false;
    for (String a : rest) {
      if (a.equals("--help") || a.equals("-h")) help = true;
      else if (a.equals("--print-config")) print = true;
      else if (a.equals("--check-state")) checkState = true;
      else {
        err.println(
            "app: unknown argument '"
                + a
                + "' (expected --config FILE, --set key=value, --help, --print-config or"
                + " --check-state)");
        return 2;
      }
    }
    if (help) {
      out.print(USAGE + AppConfig.help());
      return 0;
    }
    if (print) {
      config.describe().forEach((k, v) -> out.println(k + "=" + v));
      return 0;
    }
    if (checkState) return checkState(config, env, out, err);
    StreamvecApp app;
    try {
      config = LocalBroker.orLocalBroker(config, env);
      app = start(config);
    } catch (ConfigException | StartupException | java.io.UncheckedIOException e) {
      err.println("app: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "streamvec-shutdown"));
    try {
      return app.awaitStop() ? 1 : 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static int checkState(
      AppConfig config, Map<String, String> env, PrintStream out, PrintStream err) {
    StateCheck.Report report;
    try {
      report = StateCheck.run(LocalBroker.orLocalBroker(config, env));
    } catch (ConfigException | StartupException | org.apache.kafka.common.KafkaException e) {
      err.println("app --check-state: " + e.getMessage());
      return 1;
    }
    report.lines().forEach(report.ok() ? out::println : err::println);
    return report.ok() ? 0 : 1;
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause())
      if (type.isInstance(t)) return true;
    return false;
  }
}
