package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every PromQL expression of both dashboards, evaluated by a real Prometheus that scraped a real
 * Kafka Streams app (real broker, records streaming, a real learner reporting), must return
 * data: a panel on a metric name the app does not export, or a label it does not set, fails
 * here. The lead's end-to-end test runs the same check against the full app.
 */
class DashboardQueriesTest {
  static final String RATE_INTERVAL = "30s";
  static MiniTrainingApp app;
  static PrometheusProcess prometheus;

  @BeforeAll
  static void startAppAndPrometheus() throws Exception {
    app = new MiniTrainingApp();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 600; i++) lines.add("the quick brown fox number " + (i % 37) + " jumps over the lazy dog . a cat sat on mat " + (i % 11));
    app.produce(lines, 7);
    awaitScrapeContains(Duration.ofSeconds(60), "streamvec_tokens_total{", "kafka_stream_thread_process_total{",
        "streamvec_dlq_records_by_reason_total{", "kafka_consumer_fetch_manager_records_lag{");
    System.gc();   // the GC pause timer appears with the first collection; a busy app has one within seconds
    prometheus = PrometheusProcess.start("127.0.0.1:" + app.server.port(), "/metrics");
    prometheus.awaitTargetUp(Duration.ofSeconds(30));
    app.produce(lines.subList(0, 100), 0);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (prometheus != null) prometheus.close();
    } finally {
      if (app != null) app.close();
    }
  }

  static void awaitScrapeContains(Duration timeout, String... parts) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String scrape = app.metrics.scrape();
      List<String> missing = new ArrayList<>();
      for (String p : parts) if (!scrape.contains(p)) missing.add(p);
      if (missing.isEmpty()) return;
      if (System.nanoTime() > deadline) throw new AssertionError("the app never exported " + missing);
      Thread.sleep(250);
    }
  }

  @Test
  void everyDashboardQueryReturnsData() throws Exception {
    List<DeployFiles.Query> queries = new ArrayList<>();
    for (String d : DeployFiles.DASHBOARDS) queries.addAll(DeployFiles.queries(d));
    assertTrue(queries.size() > 40, "found only " + queries.size() + " queries");
    // rates need two scrapes inside their window: retry each empty query until a deadline
    Map<DeployFiles.Query, String> empty = new LinkedHashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    for (DeployFiles.Query q : queries) {
      String promql = DeployFiles.substitute(q.expr(), app.config.get("model.id"), app.metrics.instance(), RATE_INTERVAL);
      while (prometheus.query(promql) == 0 && System.nanoTime() < deadline) Thread.sleep(500);
      if (prometheus.query(promql) == 0) empty.put(q, promql);
    }
    StringBuilder report = new StringBuilder();
    empty.forEach((q, promql) -> report.append("\n  ").append(q.dashboard()).append(" ").append(q.where()).append(": ").append(promql));
    assertTrue(empty.isEmpty(), empty.size() + " of " + queries.size() + " dashboard queries return no data:" + report);
  }

  @Test
  void aWrongMetricNameOrLabelValueFindsNothing() throws Exception {
    String good = "streamvec_tokens_total{model=~\"$model\", instance=~\"$instance\"}";
    String model = app.config.get("model.id"), instance = app.metrics.instance();
    assertEquals(1, prometheus.query(DeployFiles.substitute(good, model, instance, RATE_INTERVAL)));
    assertEquals(0, prometheus.query(DeployFiles.substitute(good.replace("tokens_total", "tokens_count"), model, instance, RATE_INTERVAL)));
    assertEquals(0, prometheus.query(DeployFiles.substitute(good, "no-such-model", instance, RATE_INTERVAL)));
    assertEquals(0, prometheus.query(DeployFiles.substitute(good, model, "elsewhere:1", RATE_INTERVAL)));
  }

  @Test
  void theRunningAppsMetricsPagePassesPromtool() throws Exception {
    HttpResponse<String> page = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("kafka_stream_thread_process_total{") && page.body().contains("streamvec_perplexity{"));
    MetricsSetupTest.assertPassesPromtool(page.body());
  }
}
