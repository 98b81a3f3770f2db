package io.streamvec.app.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.FreePorts;
import io.streamvec.app.testing.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real Prometheus server (the Debian package's /usr/bin/prometheus) for tests: scrapes one target
 * every second with the same scrape settings as deploy/prometheus/prometheus.yml (honor_labels, so
 * the app's own instance label stands), on a free loopback port with its data in a temporary
 * directory. {@link #query} evaluates PromQL through the HTTP API.
 *
 * <pre>
 * try (PrometheusProcess prom = PrometheusProcess.start("127.0.0.1:8080", "/metrics")) {
 *     prom.awaitTargetUp(Duration.ofSeconds(30));
 *     int series = prom.query("streamvec_tokens_total");
 * }
 * </pre>
 */
public final class PrometheusProcess implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/prometheus");
  public static final String JOB = "streamvec";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final ProcessRunner.Running process;
  private final Path dir;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  private PrometheusProcess(ProcessRunner.Running process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts Prometheus scraping http://target + metricsPath every second; returns once /-/ready
   * answers.
   */
  public static PrometheusProcess start(String target, String metricsPath)
      throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY + " is missing: install the Debian package 'prometheus' (.ci/run does)");
    }
    Path dir = Files.createTempDirectory("streamvec-prometheus-");
    Files.writeString(
        dir.resolve("prometheus.yml"),
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  evaluation_interval: 1s",
            "scrape_configs:",
            "  - job_name: " + JOB,
            "    honor_labels: true",
            "    metrics_path: " + metricsPath,
            "    static_configs:",
            "      - targets: ['" + target + "']",
            ""));
    int port = FreePorts.one();
    ProcessRunner.Running p =
        ProcessRunner.command(
                BINARY.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .output(dir.resolve("prometheus.log"))
            .start();
    PrometheusProcess prom = new PrometheusProcess(p, dir, port);
    try {
      prom.awaitReady();
      return prom;
    } catch (RuntimeException | Error e) {
      prom.close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * The number of series (or 1 for a scalar) the instant query returns; a PromQL error throws
   * IllegalArgumentException.
   */
  public int query(String promql) throws IOException, InterruptedException {
    JsonNode data = queryData(promql);
    JsonNode result = data.path("result");
    return result.isArray() ? result.size() : (result.isMissingNode() ? 0 : 1);
  }

  /** The data part of the /api/v1/query answer ({resultType, result}). */
  public JsonNode queryData(String promql) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(
                    url()
                        + "/api/v1/query?query="
                        + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    JsonNode body = json.readTree(r.body());
    if (!"success".equals(body.path("status").asText())) {
      throw new IllegalArgumentException(
          "Prometheus rejected '"
              + promql
              + "': "
              + body.path("errorType").asText()
              + ": "
              + body.path("error").asText());
    }
    return body.path("data");
  }

  /** Waits until the target has been scraped successfully (up == 1). */
  public void awaitTargetUp(Duration timeout) {
    Await.await(
        () -> "Prometheus to scrape its target; log:\n" + log(),
        () -> query("up{job=\"" + JOB + "\"} == 1") > 0,
        timeout);
  }

  /** The server's own output, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitReady() {
    Await.await(
        () -> "prometheus /-/ready; log:\n" + log(),
        () -> {
          if (!process.isAlive()) throw new IllegalStateException("prometheus exited:\n" + log());
          try {
            HttpResponse<Void> r =
                http.send(
                    HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
          } catch (IOException e) {
            return false; // not listening yet
          }
        },
        READY_TIMEOUT);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and deletes its directory. */
  @Override
  public void close() {
    try {
      process.stop(Duration.ofSeconds(10));
    } finally {
      process.close();
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
