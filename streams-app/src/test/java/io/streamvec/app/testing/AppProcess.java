package io.streamvec.app.testing;

import io.streamvec.app.config.AppKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One instance of the app in its own JVM ({@code java -cp <this classpath>
 * io.streamvec.app.StreamvecApp --set k=v ...}), output appended to a log file: what the crash and
 * failover tests start, kill with SIGKILL, stop with SIGTERM and start again, as a machine or a
 * user would. Its HTTP API is on a free port unless the settings choose one (-1: none).
 */
public final class AppProcess implements AutoCloseable {
  private static final String HEAP = "384m";

  /**
   * JVM options of every instance, before the caller's own: the system property
   * streamvec.test.app-jvm-options (space-separated; none by default, so a measurement started from
   * a main method runs the app as ./streamvec does). The test build sets it (root pom).
   */
  private static final List<String> TEST_JVM_OPTIONS =
      Arrays.stream(System.getProperty("streamvec.test.app-jvm-options", "").trim().split("\\s+"))
          .filter(o -> !o.isEmpty())
          .toList();

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern TOKENS =
      Pattern.compile("(?m)^streamvec_tokens_total\\{[^}]*\\} ([0-9.eE+]+)$");

  /**
   * The directory of the RocksDB native library, unpacked once per test JVM: left to itself, every
   * instance unpacks its own 15 MB copy into the temporary directory, and one killed with SIGKILL
   * never deletes it.
   */
  private static final Path NATIVE_LIBRARIES = unpackRocksDb();

  private final String name;
  private final List<String> command;
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

  private AppProcess(String name, List<String> command, Path logFile, int httpPort) {
    this.name = name;
    this.command = command;
    this.logFile = logFile;
    this.httpPort = httpPort;
  }

  /** Starts an instance with these app settings and a 384 MB heap; its log goes to logFile. */
  public static AppProcess start(String name, Map<String, String> settings, Path logFile)
      throws IOException {
    return start(name, settings, HEAP, List.of(), logFile);
  }

  /** The same with heap (e.g. "768m") and more JVM options (e.g. -Dname=value). */
  public static AppProcess start(
      String name, Map<String, String> settings, String heap, List<String> jvmOptions, Path logFile)
      throws IOException {
    Map<String, String> all = new HashMap<>(settings);
    all.computeIfAbsent(AppKeys.HTTP_PORT, k -> String.valueOf(FreePorts.one()));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-Dstreamvec.instance=" + name, // tells the JVMs apart in ps
                // the app's own logging (its INFO lines: state changes, restores), not the tests'
                "-Dlog4j2.configurationFile=log4j2.properties"));
    cmd.add(
        "-Djava.library.path="
            + NATIVE_LIBRARIES
            + java.io.File.pathSeparator
            + System.getProperty("java.library.path"));
    cmd.addAll(TEST_JVM_OPTIONS);
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of("-cp", System.getProperty("java.class.path"), "io.streamvec.app.StreamvecApp"));
    all.forEach(
        (k, v) -> {
          cmd.add("--set");
          cmd.add(k + "=" + v);
        });
    AppProcess app =
        new AppProcess(
            name, List.copyOf(cmd), logFile, Integer.parseInt(all.get(AppKeys.HTTP_PORT)));
    app.restart();
    return app;
  }

  private static Path unpackRocksDb() {
    String file = org.rocksdb.util.Environment.getJniLibraryFileName("rocksdb");
    try (InputStream in = org.rocksdb.RocksDB.class.getClassLoader().getResourceAsStream(file)) {
      if (in == null) throw new IllegalStateException("no " + file + " in the RocksDB jar");
      Path dir = Files.createTempDirectory("streamvec-native-");
      Path library = dir.resolve(file);
      Files.copy(in, library);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      Files.deleteIfExists(library);
                      Files.deleteIfExists(dir);
                    } catch (IOException e) {
                      // a temporary directory: the system cleans it up eventually
                    }
                  }));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("could not unpack " + file, e);
    }
  }

  /** Starts the instance again with the same settings, state dir and port (after a stop). */
  public void restart() throws IOException {
    if (isAlive()) throw new IllegalStateException(name + " is still running");
    Files.writeString(
        logFile,
        "=== " + name + " starting\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    process =
        new ProcessBuilder(command)
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

  /** SIGKILL: no shutdown hook, no commit, no leaving the group; returns once the JVM is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGTERM and wait for the exit; returns the exit code (143 after a clean shutdown hook). */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!awaitExit(timeout))
      throw new AssertionError(name + " did not stop within " + timeout + " of SIGTERM");
    return process.exitValue();
  }

  /** Waits up to timeout for the JVM to end by itself; true if it did. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The JVM's process id. */
  public long pid() {
    return process.pid();
  }

  /** The exit code of a JVM that ended. */
  public int exitValue() {
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
    if (httpPort <= 0) return null;
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

  /** The whole log so far. */
  public String log() {
    return logTail(Integer.MAX_VALUE);
  }

  /** The log so far (for failure messages); at most the last maxChars characters. */
  public String logTail(int maxChars) {
    try {
      String all = Files.readString(logFile);
      return all.length() <= maxChars ? all : "..." + all.substring(all.length() - maxChars);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (isAlive()) kill();
  }
}
