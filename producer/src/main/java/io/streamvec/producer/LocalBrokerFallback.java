package io.streamvec.producer;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * "No bootstrap.servers given anywhere" means "use the project's local broker": start it with
 * {@code deploy/broker.sh start} (a no-op when it runs) and connect to the address it prints.
 * Anywhere = {@code --bootstrap-servers}, {@code --set bootstrap.servers=}, the {@code --config}
 * file, or the environment variable STREAMVEC_BOOTSTRAP_SERVERS (AppConfig's sources).
 *
 * <p>Stand-in for the streams app's own LocalBroker helper, which was not on main when the CLIs
 * were written; same contract (STREAMVEC_ROOT from the launcher, else the checkout the jar is in).
 */
final class LocalBrokerFallback {
  static final String ENV_ROOT = "STREAMVEC_ROOT";
  static final String ENV_SERVERS = AppConfig.ENV_PREFIX + "BOOTSTRAP_SERVERS";
  /** Starting a broker the first time includes building its runtime: allow for that. */
  static final long START_TIMEOUT_SECONDS = 300;

  private LocalBrokerFallback() {}

  /** The config as given, or, when no bootstrap.servers is set anywhere, pointed at the started local broker. */
  static AppConfig resolve(AppConfig config, String[] args, Map<String, String> env, PrintStream err) throws CliFailure {
    if (configured(args, env)) return config;
    String address = start(repoRoot(env), env, err);
    List<String> withAddress = new ArrayList<>(Arrays.asList(args));
    withAddress.add("--bootstrap-servers");
    withAddress.add(address);
    try {
      return AppConfig.load(withAddress.toArray(new String[0]), env, new ArrayList<>());
    } catch (ConfigException e) {
      throw new CliFailure(CliFailure.USAGE, e.getMessage());
    }
  }

  /** True if bootstrap.servers is given by a flag, the --config file or the environment. */
  static boolean configured(String[] args, Map<String, String> env) throws CliFailure {
    if (env != null && env.get(ENV_SERVERS) != null && !env.get(ENV_SERVERS).isBlank()) return true;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String next = i + 1 < args.length ? args[i + 1] : "";
      if (a.equals("--bootstrap-servers") || a.startsWith("--bootstrap-servers=")) return true;
      if (a.equals("--set") && next.startsWith(AppKeys.BOOTSTRAP_SERVERS + "=")) return true;
      if (a.equals("--config") || a.startsWith("--config=")) {
        Path file = Path.of(a.equals("--config") ? next : a.substring("--config=".length()));
        if (fileSetsServers(file)) return true;
      }
    }
    return false;
  }

  private static boolean fileSetsServers(Path file) throws CliFailure {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new CliFailure(CliFailure.USAGE, "cannot read config file " + file + ": " + e.getMessage());
    }
    return p.getProperty(AppKeys.BOOTSTRAP_SERVERS) != null;
  }

  /** $STREAMVEC_ROOT (set by ./streamvec), else the checkout this jar was built in (<root>/producer/target/x.jar). */
  static Path repoRoot(Map<String, String> env) throws CliFailure {
    String root = env == null ? null : env.get(ENV_ROOT);
    if (root != null && !root.isBlank()) return Path.of(root);
    try {
      Path jar = Path.of(LocalBrokerFallback.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // target/classes (IDE, tests) or target/<jar>: two or three levels below the module, whose parent is the root
      for (Path p = jar; p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("deploy/broker.sh"))) return p;
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // fall through to the message below
    }
    throw new CliFailure(CliFailure.USAGE, "no bootstrap.servers given and the streamvec checkout (for deploy/broker.sh) is unknown;"
        + " pass --bootstrap-servers HOST:PORT or run through ./streamvec");
  }

  /**
   * Runs deploy/broker.sh start (its progress goes to err) and returns the address it prints. The
   * STREAMVEC_* variables of env (state dir, ports) reach the script even when env is not this
   * process's own environment (tests).
   */
  static String start(Path root, Map<String, String> env, PrintStream err) throws CliFailure {
    Path script = root.resolve("deploy/broker.sh");
    if (!Files.isRegularFile(script)) {
      throw new CliFailure(CliFailure.USAGE, "no bootstrap.servers given and " + script + " is missing; pass --bootstrap-servers HOST:PORT");
    }
    err.println("no bootstrap.servers given: using the local broker (" + root.relativize(script) + " start)");
    try {
      ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "start")
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .redirectInput(ProcessBuilder.Redirect.PIPE);
      if (env != null) env.forEach((k, v) -> { if (k.startsWith(AppConfig.ENV_PREFIX)) pb.environment().put(k, v); });
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes();
      }
      if (!p.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroy();
        throw new CliFailure(CliFailure.BROKER_UNREACHABLE, "the local broker did not start within " + START_TIMEOUT_SECONDS + " s");
      }
      String address = new String(out, StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0 || !address.matches("[^\\s:]+:[0-9]{1,5}")) {
        throw new CliFailure(CliFailure.BROKER_UNREACHABLE, "could not start the local broker (deploy/broker.sh start exited "
            + p.exitValue() + "; see its message above), or pass --bootstrap-servers HOST:PORT");
      }
      return address;
    } catch (IOException e) {
      throw new CliFailure(CliFailure.BROKER_UNREACHABLE, "could not run " + script + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(CliFailure.BROKER_UNREACHABLE, "interrupted while starting the local broker");
    }
  }
}
