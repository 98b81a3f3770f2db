package io.streamvec.app.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code promtool} (Debian package 'prometheus') as a process. Exit codes of {@code
 * check metrics}: 0 clean, 1 the exposition does not parse, 3 lint findings only.
 */
final class Promtool {
  static final Path BINARY = Path.of("/usr/bin/promtool");

  record Result(int exitCode, String output) {}

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
    if (!Files.isExecutable(BINARY))
      throw new IllegalStateException(
          BINARY + " is missing: install the Debian package 'prometheus' (.ci/run does)");
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "promtool " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Result(p.exitValue(), output);
  }
}
