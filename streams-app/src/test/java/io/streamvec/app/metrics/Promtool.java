package io.streamvec.app.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs the real {@code promtool} (Debian package 'prometheus') as a process. Exit codes of
 * {@code check metrics}: 0 clean, 1 the exposition does not parse, 3 lint findings only.
 */
final class Promtool {
  static final Path BINARY = Path.of("/usr/bin/promtool");

  /**
   * Names we export but do not choose: the Kafka clients' metrics (as Micrometer's
   * KafkaStreamsMetrics maps them, e.g. io_time_ns_total, connection_count) and Micrometer's
   * system_cpu_count. Dashboards and users know them by these names, so they are not renamed;
   * lint findings on any other name fail the tests.
   */
  static final Pattern THIRD_PARTY_NAMES = Pattern.compile("^(kafka_\\w+|system_cpu_count|process_cpu_time_ns_total)$");

  record Result(int exitCode, String output) {
    /** Lint findings on metric names outside {@link #THIRD_PARTY_NAMES}. */
    List<String> ownFindings() {
      List<String> out = new ArrayList<>();
      for (String line : output.split("\n")) {
        if (line.isBlank()) continue;
        String name = line.split(" ", 2)[0];
        if (!THIRD_PARTY_NAMES.matcher(name).matches()) out.add(line);
      }
      return out;
    }
  }

  private Promtool() {}

  /** {@code promtool check metrics} with the exposition on stdin. */
  static Result checkMetrics(String exposition) throws IOException, InterruptedException {
    return run(exposition, "check", "metrics");
  }

  /** {@code promtool check config FILE}. */
  static Result checkConfig(Path file) throws IOException, InterruptedException {
    return run(null, "check", "config", file.toString());
  }

  private static Result run(String stdin, String... args) throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) throw new IllegalStateException(BINARY + " is missing: install the Debian package 'prometheus' (.ci/run does)");
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Result(p.exitValue(), output);
  }
}
