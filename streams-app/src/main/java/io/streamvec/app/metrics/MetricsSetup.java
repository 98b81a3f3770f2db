package io.streamvec.app.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.status.TrainingStatus;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Everything the app exports to Prometheus, in one registry: the training meters ({@link
 * TrainingMetricsBinder}), the Kafka Streams client's own metrics ({@code kafka_*}, via
 * Micrometer's KafkaStreamsMetrics), the client state, and the JVM and process binders (memory, GC,
 * threads, class loading, CPU, open files, uptime). The Kafka and CPU meters pass through {@link
 * PrometheusNamesBridge}, which gives them names {@code promtool check metrics} accepts (times in
 * seconds: {@code kafka_producer_io_time_seconds_total}, {@code process_cpu_time_seconds_total}).
 * Every meter carries the common tags {@code application} (application.id), {@code model}
 * (model.id) and {@code instance} (host:http.port), so one Prometheus can watch several apps and
 * models.
 *
 * <pre>
 * MetricsSetup metrics = MetricsSetup.create(config, status, streams);
 * metrics.mount(queryServer.httpServer());      // GET /metrics beside the query API
 * ...
 * metrics.close();
 * </pre>
 */
public final class MetricsSetup implements AutoCloseable {
  /**
   * How often the Kafka binder looks for new client metrics. Thread and task metrics appear only
   * after the client starts and gets its tasks; Micrometer's default (60 s) would leave them out of
   * the first minute of every run.
   */
  public static final Duration KAFKA_REFRESH = Duration.ofSeconds(10);

  private final PrometheusMeterRegistry registry;
  private final TrainingMetricsBinder training;
  private final String instance;
  private final String path;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private MetricsSetup(
      PrometheusMeterRegistry registry,
      TrainingMetricsBinder training,
      String instance,
      String path) {
    this.registry = registry;
    this.training = training;
    this.instance = instance;
    this.path = path;
  }

  /** A registry with all binders bound; streams may be null (no Kafka client metrics then). */
  public static MetricsSetup create(AppConfig config, TrainingStatus status, KafkaStreams streams) {
    return create(config, status, streams, instanceName(config), KAFKA_REFRESH);
  }

  /**
   * As {@link #create(AppConfig, TrainingStatus, KafkaStreams)} with an explicit instance tag and
   * Kafka refresh interval.
   */
  public static MetricsSetup create(
      AppConfig config,
      TrainingStatus status,
      KafkaStreams streams,
      String instance,
      Duration kafkaRefresh) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(commonTags(config, instance));
    TrainingMetricsBinder training = new TrainingMetricsBinder(status);
    MetricsSetup setup =
        new MetricsSetup(registry, training, instance, config.get(AppKeys.METRICS_PATH));
    JvmGcMetrics gc = new JvmGcMetrics();
    setup.closeables.add(gc);
    List<MeterBinder> binders =
        new ArrayList<>(
            List.of(
                training,
                new JvmMemoryMetrics(),
                gc,
                new JvmThreadMetrics(),
                new ClassLoaderMetrics(),
                new FileDescriptorMetrics(),
                new UptimeMetrics()));
    // meters named by others (nanoseconds, "count" gauges...) reach Prometheus through the bridge,
    // renamed
    SimpleMeterRegistry thirdParty = new SimpleMeterRegistry();
    new PrometheusNamesBridge(thirdParty, registry);
    List<MeterBinder> thirdPartyBinders = new ArrayList<>(List.of(new ProcessorMetrics()));
    if (streams != null) {
      ScheduledExecutorService refresher =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "streamvec-kafka-metrics");
                t.setDaemon(true);
                return t;
              });
      KafkaStreamsMetrics kafka =
          new KafkaStreamsMetrics(streams, Tags.empty(), refresher, kafkaRefresh);
      setup.closeables.add(kafka);
      setup.closeables.add(refresher::shutdownNow);
      thirdPartyBinders.add(kafka);
      binders.add(new StreamsStateBinder(streams::state));
    }
    for (MeterBinder b : binders) b.bindTo(registry);
    for (MeterBinder b : thirdPartyBinders) b.bindTo(thirdParty);
    setup.closeables.add(thirdParty::close);
    return setup;
  }

  /** application, model and instance, the labels every series of this app carries. */
  static Tags commonTags(AppConfig config, String instance) {
    return Tags.of(
        Tag.of("application", config.get(AppKeys.APPLICATION_ID)),
        Tag.of("model", config.get(AppKeys.MODEL_ID)),
        Tag.of("instance", instance));
  }

  /**
   * host:port of this app's HTTP endpoint as others reach it: $HOSTNAME (set by Docker and
   * Kubernetes) or the local host name, and http.port when it is fixed.
   */
  public static String instanceName(AppConfig config) {
    return instanceName(config, config.getInt(AppKeys.HTTP_PORT));
  }

  /** host:port with the port the server actually bound (http.port=0 picks one at start). */
  public static String instanceName(AppConfig config, int boundPort) {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException | RuntimeException e) {
        host = "localhost";
      }
    }
    return boundPort > 0 ? host + ":" + boundPort : host;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public TrainingMetricsBinder training() {
    return training;
  }

  /** The value of the instance tag. */
  public String instance() {
    return instance;
  }

  /** The Prometheus text exposition of every meter (what GET /metrics answers). */
  public String scrape() {
    training.refresh();
    return registry.scrape();
  }

  /** Serves {@link #scrape()} at the configured metrics.path (default /metrics) of server. */
  public void mount(HttpServer server) {
    server.createContext(path, new ScrapeHandler(this, path));
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing on shutdown: nothing left to do about a binder that fails to let go
      }
    }
    registry.close();
  }
}
