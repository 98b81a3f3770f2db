package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamvec.app.KafkaTestClients;
import io.streamvec.app.StreamvecApp;
import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.topology.DeadLetter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every PromQL expression of both dashboards (panels and variables), evaluated by a real Prometheus
 * that scrapes the real app (StreamvecApp on an in-process broker, a small corpus streaming in,
 * hostile records among it), must return data: a panel on a metric name the app does not export, or
 * a label it does not set, fails here.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardQueriesTest {
  static final String RATE_INTERVAL = "30s";
  static final String MODEL = "dash";

  /**
   * Dead-letter reasons the hostile records below produce, one series each on the DLQ-by-reason
   * panel.
   */
  static final List<String> REASONS = List.of("invalid-utf8", "empty", "too-large");

  static EmbeddedKafkaBroker kafka;
  static Path stateDir;
  static AppConfig config;
  static StreamvecApp app;
  static PrometheusProcess prometheus;
  static CorpusStream stream;
  static String instance;

  @BeforeAll
  static void startBrokerAppAndPrometheus() throws Exception {
    kafka = EmbeddedKafkaBroker.start();
    stateDir = Files.createTempDirectory("streamvec-dashboards-");
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.putAll(
        Map.of(
            AppKeys.BOOTSTRAP_SERVERS,
            kafka.bootstrapServers(),
            AppKeys.APPLICATION_ID,
            "dashboards",
            AppKeys.MODEL_ID,
            MODEL,
            AppKeys.HTTP_PORT,
            "0",
            AppKeys.STATE_DIR,
            stateDir.toString(),
            AppKeys.COMMIT_INTERVAL_MS,
            "200",
            AppKeys.METRICS_INTERVAL_MS,
            "500",
            AppKeys.SNAPSHOT_INTERVAL_MS,
            "2000",
            AppKeys.IDLE_SNAPSHOT_MS,
            "1000",
            AppKeys.CHECKPOINT_INTERVAL_RECORDS,
            "300"));
    m.put(AppKeys.MAX_RECORD_BYTES, "2000");
    config = AppConfig.of(m);
    app = StreamvecApp.start(config);
    instance = MetricsSetup.instanceName(config, app.httpPort());
    prometheus =
        PrometheusProcess.start("127.0.0.1:" + app.httpPort(), config.get(AppKeys.METRICS_PATH));
    stream = new CorpusStream(kafka.bootstrapServers(), config.get(AppKeys.INPUT_TOPICS));
    prometheus.awaitTargetUp(Duration.ofSeconds(30));
    // Kafka's thread and consumer metrics appear once the client has its tasks and the binder
    // has looked again (MetricsSetup.KAFKA_REFRESH); the GC timer with the first collection
    awaitScrapeContains(
        Duration.ofSeconds(60),
        "streamvec_dlq_records_by_reason_total{",
        "kafka_stream_thread_process_total{",
        "kafka_consumer_fetch_manager_records_lag{",
        "kafka_stream_task_dropped_records_total{");
    System.gc();
    awaitScrapeContains(Duration.ofSeconds(10), "jvm_gc_pause_seconds_sum{");
    // and Prometheus has scraped them twice: a rate over them has a value
    DeployFiles.Query warm =
        new DeployFiles.Query(
            "-", "warm-up", "rate(kafka_stream_thread_process_total[$__rate_interval])");
    assertEquals(
        Map.of(),
        emptyQueries(List.of(warm), Duration.ofSeconds(30)),
        "Prometheus never scraped the Kafka metrics twice");
  }

  @AfterAll
  static void stopAll() throws Exception {
    try (EmbeddedKafkaBroker k = kafka;
        PrometheusProcess p = prometheus;
        StreamvecApp a = app;
        CorpusStream s = stream) {
      // closed in reverse order: the stream, the app, Prometheus, the broker
    } finally {
      TestTexts.deleteTree(stateDir);
    }
  }

  static String scrape() throws Exception {
    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + app.httpPort()
                                + config.get(AppKeys.METRICS_PATH)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode(), page.body());
    return page.body();
  }

  static void awaitScrapeContains(Duration timeout, String... parts) {
    List<String> missing = new ArrayList<>(List.of(parts));
    Await.await(
        () -> "the app to export " + missing,
        () -> {
          String scrape = scrape();
          missing.removeIf(scrape::contains);
          return missing.isEmpty();
        },
        timeout);
  }

  static String promql(DeployFiles.Query q) {
    return DeployFiles.substitute(q.expr(), MODEL, instance, RATE_INTERVAL);
  }

  /**
   * The queries that return no data, each retried until the deadline (a rate needs two scrapes in
   * its window).
   */
  static Map<DeployFiles.Query, String> emptyQueries(
      List<DeployFiles.Query> queries, Duration patience) throws Exception {
    List<DeployFiles.Query> pending = new ArrayList<>(queries);
    Await.holdsWithin(
        () -> {
          for (var it = pending.iterator(); it.hasNext(); )
            if (prometheus.query(promql(it.next())) > 0) it.remove();
          return pending.isEmpty();
        },
        patience);
    Map<DeployFiles.Query, String> empty = new LinkedHashMap<>();
    for (DeployFiles.Query q : pending) empty.put(q, promql(q));
    return empty;
  }

  static List<DeployFiles.Query> allQueries() {
    List<DeployFiles.Query> queries = new ArrayList<>();
    for (String d : DeployFiles.DASHBOARDS) queries.addAll(DeployFiles.queries(d));
    return queries;
  }

  @Test
  void everyDashboardQueryReturnsData() throws Exception {
    List<DeployFiles.Query> queries = allQueries();
    assertTrue(queries.size() > 40, "found only " + queries.size() + " queries");
    Map<DeployFiles.Query, String> empty = emptyQueries(queries, Duration.ofSeconds(30));
    StringBuilder report = new StringBuilder();
    empty.forEach(
        (q, promql) ->
            report
                .append("\n  ")
                .append(q.dashboard())
                .append(" ")
                .append(q.where())
                .append(": ")
                .append(promql));
    assertTrue(
        empty.isEmpty(),
        empty.size() + " of " + queries.size() + " dashboard queries return no data:" + report);
    // the app did learn, and the DLQ panel shows each reason the hostile records have
    assertEquals(1, prometheus.query("streamvec_tokens_total{model=\"" + MODEL + "\"} > 0"));
    // every known reason has a series (0 until its first dead letter)
    Map<String, Double> byReason = new HashMap<>();
    for (JsonNode series :
        prometheus
            .queryData(
                "sum by (reason) (streamvec_dlq_records_by_reason_total{model=\"" + MODEL + "\"})")
            .path("result")) {
      byReason.put(
          series.path("metric").path("reason").asText(),
          Double.parseDouble(series.path("value").path(1).asText()));
    }
    assertEquals(Set.copyOf(DeadLetter.REASONS), byReason.keySet());
    byReason.forEach(
        (reason, count) ->
            assertEquals(REASONS.contains(reason), count > 0, reason + ": " + count));
  }

  @Test
  void aPanelOnAWrongMetricNameIsReported() throws Exception {
    String good =
        "rate(streamvec_tokens_total{model=~\"$model\", instance=~\"$instance\"}[$__rate_interval])";
    String wrong = good.replace("tokens_total", "tokens_count");
    ObjectNode dashboard =
        (ObjectNode) DeployFiles.json(DeployFiles.dashboard(DeployFiles.DASHBOARDS.get(0)));
    ObjectNode panel =
        dashboard.withArray("panels").addObject().put("type", "timeseries").put("title", "Typo");
    panel.withArray("targets").addObject().put("refId", "A").put("expr", wrong);
    panel.withArray("targets").addObject().put("refId", "B").put("expr", good);
    List<DeployFiles.Query> queries = DeployFiles.queries("edited.json", dashboard);
    List<DeployFiles.Query> added =
        queries.stream().filter(q -> q.where().startsWith("panel 'Typo'")).toList();
    assertEquals(2, added.size(), "the added panel's queries are found");
    assertEquals(
        Map.of(added.get(0), DeployFiles.substitute(wrong, MODEL, instance, RATE_INTERVAL)),
        emptyQueries(added, Duration.ZERO));
  }

  @Test
  void aWrongModelOrInstanceFindsNothing() throws Exception {
    String good = "streamvec_tokens_total{model=~\"$model\", instance=~\"$instance\"}";
    assertEquals(1, prometheus.query(DeployFiles.substitute(good, MODEL, instance, RATE_INTERVAL)));
    assertEquals(
        0,
        prometheus.query(DeployFiles.substitute(good, "no-such-model", instance, RATE_INTERVAL)));
    assertEquals(
        0, prometheus.query(DeployFiles.substitute(good, MODEL, "elsewhere:1", RATE_INTERVAL)));
  }

  @Test
  void theRunningAppsMetricsPagePassesPromtool() throws Exception {
    String page = scrape();
    // the Kafka clients' and the CPU meters as the bridge renames them: times in seconds
    for (String family :
        new String[] {
          "kafka_stream_thread_process_total{",
          "streamvec_perplexity{",
          "kafka_producer_io_time_seconds_total{",
          "kafka_consumer_connections{",
          "process_cpu_time_seconds_total{",
          "system_cpus{"
        }) {
      assertTrue(page.contains(family), family + " missing");
    }
    MetricsSetupTest.assertPassesPromtool(page);
  }

  /**
   * The shipped test corpus sent over and over in small batches (a few hundred records a second)
   * with a hostile record of each reason in every batch, until closed: the rates keep moving while
   * Prometheus scrapes.
   */
  static final class CorpusStream implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stop;

    CorpusStream(String servers, String topic) {
      List<String> corpus = TestTexts.resourceLines("corpus/animals.txt");
      // one of each of REASONS: a continuation byte without a lead byte, nothing, more than
      // max.record.bytes
      List<byte[]> hostile =
          List.of(
              new byte[] {'t', 'h', 'e', (byte) 0x80, 'x'},
              new byte[0],
              "the lion sleeps tonight ".repeat(100).getBytes(StandardCharsets.UTF_8));
      thread =
          new Thread(
              () -> {
                try (KafkaProducer<byte[], byte[]> p = KafkaTestClients.producer(servers)) {
                  for (int i = 0; !stop; i++) {
                    for (int j = 0; j < 20; j++)
                      p.send(
                          new ProducerRecord<>(
                              topic,
                              corpus
                                  .get((i * 20 + j) % corpus.size())
                                  .getBytes(StandardCharsets.UTF_8)));
                    p.send(new ProducerRecord<>(topic, hostile.get(i % hostile.size())));
                    p.flush();
                    Thread.sleep(100);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "corpus-stream");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join(10_000);
    }
  }
}
