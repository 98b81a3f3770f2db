package io.streamvec.app.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The zero-setup fallback: when no {@code bootstrap.servers} was given anywhere (file, environment,
 * {@code --set}), the commands use the local single-node broker of {@code ./streamvec broker},
 * starting it if needed. {@code deploy/broker.sh start} is idempotent and prints the bootstrap
 * address as its only stdout line; the launcher exports {@code STREAMVEC_ROOT} so the script can be
 * found.
 *
 * <pre>
 *   AppConfig config = LocalBroker.orLocalBroker(AppConfig.load(args, System.getenv(), rest), System.getenv());
 * </pre>
 */
public final class LocalBroker {
  /** A first start may build the broker's classpath, then waits for the broker itself. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(180);

  private LocalBroker() {}

  /**
   * config itself if it names a broker; otherwise config with the local broker's address (started
   * if needed).
   */
  public static AppConfig orLocalBroker(AppConfig config, Map<String, String> env) {
    if (config.isGiven(AppKeys.BOOTSTRAP_SERVERS)
        || config.isGiven(AppConfig.KAFKA_PREFIX + AppKeys.BOOTSTRAP_SERVERS)) return config;
    return config.with(AppKeys.BOOTSTRAP_SERVERS, ensureRunning(env, START_TIMEOUT));
  }

  /** Starts the local broker unless it runs already; returns its bootstrap address. */
  public static String ensureRunning(Map<String, String> env, Duration timeout) {
    String root = env.get("STREAMVEC_ROOT");
    if (root == null || root.isBlank()) {
      throw new ConfigException(
          "bootstrap.servers is not set and the local broker cannot be started here (STREAMVEC_ROOT is unset: "
              + "run through ./streamvec, or pass --set bootstrap.servers=HOST:PORT)");
    }
    Path script = Path.of(root, "deploy", "broker.sh");
    if (!Files.isRegularFile(script))
      throw new ConfigException(
          "bootstrap.servers is not set and "
              + script
              + " does not exist: pass --set bootstrap.servers=HOST:PORT");
    System.err.println(
        "bootstrap.servers is not set: using the local broker (" + script + " start)");
    Path out = null;
    try {
      out = Files.createTempFile("streamvec-broker-", ".out");
      // the script's progress messages go to our stderr; its stdout is the address
      ProcessBuilder pb =
          new ProcessBuilder("bash", script.toString(), "start")
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      // the script's own settings (STREAMVEC_HOME, STREAMVEC_BROKER_PORT, ...) come from env
      env.forEach(
          (k, v) -> {
            if (k.startsWith("STREAMVEC_")) pb.environment().put(k, v);
          });
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new ConfigException(
            "the local broker did not start within "
                + timeout.toSeconds()
                + " s (see ./streamvec broker logs); "
                + "or pass --set bootstrap.servers=HOST:PORT");
      }
      String address = Files.readString(out, StandardCharsets.UTF_8).strip();
      if (address.contains("\n"))
        address = address.substring(address.lastIndexOf('\n') + 1).strip();
      if (p.exitValue() != 0 || !address.matches("[^\\s:]+:[0-9]{1,5}")) {
        throw new ConfigException(
            "could not start the local broker ("
                + script
                + " start exited with "
                + p.exitValue()
                + (address.isEmpty() ? "" : ", printed '" + address + "'")
                + "); see its messages above, or pass --set bootstrap.servers=HOST:PORT");
      }
      return address;
    } catch (IOException e) {
      throw new ConfigException("could not run " + script + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted while starting the local broker");
    } finally {
      if (out != null)
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
        }
    }
  }
}
