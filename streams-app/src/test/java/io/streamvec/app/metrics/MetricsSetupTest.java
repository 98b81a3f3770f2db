package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.query.QueryServer;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.app.topology.DeadLetter;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class MetricsSetupTest {
  final AppConfig config =
      AppConfig.of(Map.of("application.id", "sv-test", "model.id", "m7", "http.port", "0"));
  final TrainingStatus status = new TrainingStatus("m7");
  final HttpClient http = HttpClient.newHttpClient();

  /**
   * A real Kafka Streams client that is never started: its clients exist (and report metrics)
   * without a broker.
   */
  static KafkaStreams unstartedStreams(Path stateDir) {
    StreamsBuilder b = new StreamsBuilder();
    b.stream("text", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())).foreach((k, v) -> {});
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "sv-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return new KafkaStreams(b.build(), p);
  }

  @Test
  @Tag("integration")
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void everyMeterCarriesTheCommonTagsAndTheScrapePassesPromtool(@TempDir Path dir)
      throws Exception {
    try (KafkaStreams streams = unstartedStreams(dir);
        MetricsSetup metrics =
            MetricsSetup.create(config, status, streams, "host-a:8080", Duration.ofSeconds(10))) {
      status.publish(TrainingMetricsBinderTest.distinctReport("m7"));
      status.deadLettered("too-large");
      for (Meter m : metrics.registry().getMeters()) {
        assertEquals("sv-test", m.getId().getTag("application"), m.getId().toString());
        assertEquals("m7", m.getId().getTag("model"), m.getId().toString());
        assertEquals("host-a:8080", m.getId().getTag("instance"), m.getId().toString());
      }
      String scrape = metrics.scrape();
      for (String family :
          new String[] {
            "streamvec_tokens_total",
            "streamvec_dlq_records_by_reason_total",
            "jvm_memory_used_bytes",
            "jvm_threads_live_threads",
            "process_uptime_seconds",
            "process_cpu_usage",
            "kafka_stream_alive_stream_threads"
          }) {
        assertTrue(scrape.contains("\n" + family + "{"), family + " missing");
      }
      assertTrue(
          scrape.contains(
              "streamvec_streams_state{application=\"sv-test\",instance=\"host-a:8080\",model=\"m7\",state=\"CREATED\",} 1.0"),
          scrape);
      assertPassesPromtool(scrape);
    }
  }

  @Test
  @Tag("integration")
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void withoutKafkaStreamsTheOtherBindersStillWork() throws Exception {
    try (MetricsSetup metrics = MetricsSetup.create(config, status, null)) {
      String scrape = metrics.scrape();
      assertTrue(scrape.contains("streamvec_perplexity{") && scrape.contains("jvm_gc_"), scrape);
      assertTrue(!scrape.contains("kafka_"));
      assertPassesPromtool(scrape);
      assertNotEquals("", metrics.instance());
    }
  }

  @Test
  void instanceIsHostAndFixedPort() {
    String withPort = MetricsSetup.instanceName(AppConfig.of(Map.of("http.port", "9123")));
    assertTrue(withPort.endsWith(":9123") && withPort.length() > 5, withPort);
    assertTrue(!MetricsSetup.instanceName(config).contains(":"), "port 0 is not known in advance");
  }

  @Test
  void metricsServedBesideTheQueryApiOnOnePort() throws Exception {
    try (QueryServer server = new QueryServer("127.0.0.1", 0, () -> "RUNNING");
        MetricsSetup metrics = MetricsSetup.create(config, status, null)) {
      metrics.mount(server.httpServer());
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> plain =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, plain.statusCode());
      assertEquals(
          "text/plain; version=0.0.4; charset=utf-8",
          plain.headers().firstValue("Content-Type").orElse(""));
      assertTrue(plain.body().contains("# TYPE streamvec_tokens_total counter"));

      HttpResponse<byte[]> zipped =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics"))
                  .header("Accept-Encoding", "gzip")
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""));
      String unzipped =
          new String(
              new GZIPInputStream(new ByteArrayInputStream(zipped.body())).readAllBytes(),
              StandardCharsets.UTF_8);
      assertTrue(unzipped.contains("# TYPE streamvec_tokens_total counter"));
      assertTrue(zipped.body().length < unzipped.length() / 2, "gzip should shrink the page");

      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics"))
                  .POST(HttpRequest.BodyPublishers.ofString("x"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
      assertTrue(post.body().contains("\"error\""));
      assertEquals(
          404,
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/metricsfoo")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
      assertEquals(
          503,
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/v1/model")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
    }
  }

  @Test
  void everyDeadLetterReasonIsServedAtZeroBeforeTheFirstDeadLetter() throws Exception {
    try (QueryServer server = new QueryServer("127.0.0.1", 0, () -> "RUNNING");
        MetricsSetup metrics = MetricsSetup.create(config, status, null)) {
      metrics.mount(server.httpServer());
      URI page = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
      String before =
          http.send(HttpRequest.newBuilder(page).build(), BodyHandlers.ofString()).body();
      for (String reason : DeadLetter.REASONS)
        assertEquals(0.0, dlqSample(before, reason), 0.0, reason + " in:\n" + before);
      status.deadLettered(DeadLetter.BINARY);
      String after =
          http.send(HttpRequest.newBuilder(page).build(), BodyHandlers.ofString()).body();
      assertEquals(1.0, dlqSample(after, DeadLetter.BINARY), 0.0);
      assertEquals(0.0, dlqSample(after, DeadLetter.EMPTY), 0.0);
    }
  }

  /** The value of the DLQ-by-reason sample with this reason on a Prometheus text page. */
  private static double dlqSample(String page, String reason) {
    for (String line : page.split("\n"))
      if (line.startsWith("streamvec_dlq_records_by_reason_total{")
          && line.contains("reason=\"" + reason + "\""))
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    throw new AssertionError("no streamvec_dlq_records_by_reason_total sample for " + reason);
  }

  @Test
  void theMetricsPathIsConfigurable() throws Exception {
    AppConfig custom = AppConfig.of(Map.of("metrics.path", "/prometheus"));
    try (QueryServer server = new QueryServer("127.0.0.1", 0, () -> "RUNNING");
        MetricsSetup metrics = MetricsSetup.create(custom, status, null)) {
      metrics.mount(server.httpServer());
      String base = "http://127.0.0.1:" + server.port();
      assertEquals(
          200,
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/prometheus")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
      assertEquals(
          404,
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
    }
  }

  /**
   * promtool parses it without a single lint finding: the names we choose and the third-party ones
   * the bridge renames.
   */
  static void assertPassesPromtool(String scrape) throws Exception {
    Promtool.Result r = Promtool.checkMetrics(scrape);
    assertEquals(0, r.exitCode(), "promtool check metrics:\n" + r.output());
    // a broken exposition is caught, so this check can fail
    assertEquals(1, Promtool.checkMetrics("streamvec_tokens_total{a=\"1\" 2\n").exitCode());
  }
}
