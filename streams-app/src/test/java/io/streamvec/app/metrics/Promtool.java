package io.streamvec.app.metrics;

import io.streamvec.app.testing.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the real {@code promtool} (Debian package 'prometheus') as a process. Exit codes of {@code
 * check metrics}: 0 clean, 1 the exposition does not parse, 3 lint findings only.
 */
final class Promtool {
  static final Path BINARY = Path.of("/usr/bin/promtool");

  record Result(int exitCode, String output) {}

  private Promtool() {}

  /** {@code promtool check metrics} with the exposition on stdin. */
  static Result checkMetrics(String exposition) {
    return run(exposition, "check", "metrics");
  }

  /** {@code promtool check config FILE}. */
  static Result checkConfig(Path file) {
    return run(null, "check", "config", file.toString());
  }

  private static Result run(String stdin, String... args) {
    if (!Files.isExecutable(BINARY))
      throw new IllegalStateException(
          BINARY + " is missing: install the Debian package 'prometheus' (.ci/run does)");
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString()));
    cmd.addAll(List.of(args));
    ProcessRunner runner = ProcessRunner.command(cmd);
    if (stdin != null) runner.stdin(stdin);
    ProcessRunner.Result r = runner.run(Duration.ofSeconds(60));
    return new Result(r.exitCode(), r.out());
  }
}
