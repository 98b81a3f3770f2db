package io.streamvec.app.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One instance of the app in its own JVM ({@code java -cp <this classpath>
 * io.streamvec.app.StreamvecApp --set k=v ...}), output appended to a log file, its HTTP API on a
 * free port. SIGKILL and SIGTERM as a user or the machine would send them.
 */
public final class AppProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern TOKENS =
      Pattern.compile("(?m)^streamvec_tokens_total\\{[^}]*\\} ([0-9.eE+]+)$");

  private final String name;
  private final Map<String, String> settings;
  private final Path logFile;
  private final int httpPort;
  private Process process;

  static {
    // instances the test did not get to close (a failure, a timeout) do not outlive the test JVM
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly)));
  }

  private AppProcess(String name, Map<String, String> settings, Path logFile, int httpPort) {
    this.name = name;
    this.settings = settings;
    this.logFile = logFile;
    this.httpPort = httpPort;
  }

  /**
   * Starts an instance with these app settings (http.port is chosen here); its log goes to logFile.
   */
  public static AppProcess start(String name, Map<String, String> settings, Path logFile)
      throws IOException {
    AppProcess app = new AppProcess(name, settings, logFile, FreePorts.one());
    app.restart();
    return app;
  }

  /** Starts the instance again with the same settings, state dir and port (after a stop). */
  public void restart() throws IOException {
    if (process != null && process.isAlive())
      throw new IllegalStateException(name + " is still running");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-Dstreamvec.instance=" + name, // tells the JVMs apart in ps
                // the app's own logging (its INFO lines: state changes, restores), not the tests'
                "-Dlog4j2.configurationFile=log4j2.properties",
                "-cp",
                System.getProperty("java.class.path"),
                "io.streamvec.app.StreamvecApp"));
    settings.forEach(
        (k, v) -> {
          cmd.add("--set");
          cmd.add(k + "=" + v);
        });
    cmd.add("--set");
    cmd.add("http.port=" + httpPort);
    Files.writeString(
        logFile,
        "=== " + name + " starting\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
  }

  public String name() {
    return name;
  }

  /** The port of its query API and /metrics. */
  public int httpPort() {
    return httpPort;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no commit, no leaving the group. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGTERM and wait for the exit; returns the exit code (143 after a clean shutdown hook). */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
      throw new AssertionError(name + " did not stop within " + timeout + " of SIGTERM");
    return process.exitValue();
  }

  /**
   * Tokens this instance's model has learned, from its Prometheus page; empty while it trains no
   * model (a standby or an idle instance reports none) or cannot be reached.
   */
  public OptionalLong trainedTokens() {
    String page = get("/metrics");
    if (page == null) return OptionalLong.empty();
    Matcher m = TOKENS.matcher(page);
    if (!m.find()) return OptionalLong.empty();
    double v = Double.parseDouble(m.group(1));
    return Double.isNaN(v) || v <= 0 ? OptionalLong.empty() : OptionalLong.of((long) v);
  }

  /** True while /health says Kafka Streams is RUNNING (not starting, not rebalancing). */
  public boolean running() {
    String health = get("/health");
    return health != null && health.contains("\"streams\":\"RUNNING\"");
  }

  /** Body of a 200 answer to GET path, or null. */
  private String get(String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  public String log() {
    try {
      return Files.readString(logFile);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) process.destroyForcibly().waitFor();
  }
}
