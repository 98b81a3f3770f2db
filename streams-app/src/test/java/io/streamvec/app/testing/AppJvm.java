package io.streamvec.app.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The app in a JVM of its own (`java -cp <the test classpath> io.streamvec.app.StreamvecApp --set
 * k=v ...`), output appended to a log file: what a crash test kills with SIGKILL and restarts.
 */
public final class AppJvm implements AutoCloseable {
  private static final String MAIN = "io.streamvec.app.StreamvecApp";
  private final Process process;
  private final Path log;

  private AppJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts the app with settings (each as --set key=value), heap xmx (e.g. "384m"). */
  public static AppJvm start(Map<String, String> settings, String xmx, Path log)
      throws IOException {
    return start(settings, xmx, List.of(), log);
  }

  /** The same with more JVM options (e.g. -Dname=value) before the main class. */
  public static AppJvm start(
      Map<String, String> settings, String xmx, List<String> jvmOptions, Path log)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + xmx));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN));
    settings.forEach(
        (k, v) -> {
          cmd.add("--set");
          cmd.add(k + "=" + v);
        });
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new AppJvm(p, log);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Process process() {
    return process;
  }

  /** Waits up to timeout for the process to end by itself; true if it did. */
  public boolean awaitExit(java.time.Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** SIGKILL: no shutdown hook, no commit; returns once the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGTERM, then the exit code once it stopped within timeoutSeconds (else -1). */
  public int terminate(long timeoutSeconds) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeoutSeconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  /** The log so far (for failure messages); at most the last maxChars characters. */
  public String logTail(int maxChars) {
    try {
      String all = Files.readString(log);
      return all.length() <= maxChars ? all : "..." + all.substring(all.length() - maxChars);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }
}
