package io.streamvec.app.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a process for a test without ever hanging it: output goes to a file (the OS drains the
 * pipes, so a chatty process never blocks on a full one), stdin is empty unless given, and every
 * wait has a timeout after which the whole process tree is killed and the test fails with the tail
 * of the output. A JVM that exits early kills what is still running.
 *
 * <pre>
 * ProcessRunner.Result r = ProcessRunner.command("kcat", "-P", ...).stdin(file).run(Duration.ofSeconds(60));
 * try (ProcessRunner.Running app = ProcessRunner.command(java, "-cp", cp, Main.class.getName()).start()) {
 *   ...
 *   app.kill(); // SIGKILL, the whole tree
 * }
 * </pre>
 */
public final class ProcessRunner {
  static final int TAIL_LINES = 40;

  private final List<String> command;
  private final Map<String, String> env = new HashMap<>();
  private final List<String> unset = new ArrayList<>();
  private Path directory;
  private Path stdin;
  private String stdinText;
  private Path outputFile;
  private boolean separateStderr;

  private ProcessRunner(List<String> command) {
    this.command = List.copyOf(command);
  }

  public static ProcessRunner command(String... command) {
    return new ProcessRunner(List.of(command));
  }

  public static ProcessRunner command(List<String> command) {
    return new ProcessRunner(command);
  }

  /** A java command on this JVM's own binary and test classpath. */
  public static ProcessRunner java(List<String> jvmFlags, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(args);
    return new ProcessRunner(cmd);
  }

  public ProcessRunner directory(Path dir) {
    this.directory = dir;
    return this;
  }

  public ProcessRunner env(Map<String, String> variables) {
    env.putAll(variables);
    return this;
  }

  public ProcessRunner env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Removes a variable the test JVM's environment would pass on. */
  public ProcessRunner unsetEnv(String name) {
    unset.add(name);
    return this;
  }

  public ProcessRunner stdin(Path file) {
    this.stdin = file;
    return this;
  }

  public ProcessRunner stdin(String text) {
    this.stdinText = text;
    return this;
  }

  /** Appends the output to this file (kept) instead of a temporary one. */
  public ProcessRunner output(Path file) {
    this.outputFile = file;
    return this;
  }

  /** stderr apart from stdout ({@link Result#err()}); by default they are one stream. */
  public ProcessRunner separateStderr() {
    this.separateStderr = true;
    return this;
  }

  /** Runs to the end; after timeout the process tree is killed and an AssertionError thrown. */
  public Result run(Duration timeout) {
    try (Running running = start()) {
      return running.await(timeout);
    }
  }

  public Running start() {
    try {
      boolean ownOutput = outputFile == null;
      Path out = ownOutput ? Files.createTempFile("streamvec-test-process-", ".out") : outputFile;
      Path err = separateStderr ? Files.createTempFile("streamvec-test-process-", ".err") : null;
      Path in = stdin;
      Path ownInput = null;
      if (stdinText != null) {
        ownInput = Files.createTempFile("streamvec-test-process-", ".in");
        Files.writeString(ownInput, stdinText, StandardCharsets.UTF_8);
        in = ownInput;
      }
      ProcessBuilder pb = new ProcessBuilder(command);
      if (directory != null) pb.directory(directory.toFile());
      unset.forEach(pb.environment()::remove);
      pb.environment().putAll(env);
      pb.redirectInput(in != null ? in.toFile() : new File("/dev/null"));
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
      if (err != null) pb.redirectError(err.toFile());
      else pb.redirectErrorStream(true);
      return new Running(pb.start(), String.join(" ", command), out, ownOutput, err, ownInput);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + String.join(" ", command), e);
    }
  }

  /** How a process ended: exit code, its output (stdout, or both if stderr was not apart). */
  public record Result(int exitCode, String out, String err) {
    /** The last lines of stdout and stderr, for failure messages. */
    public String tail() {
      return ProcessRunner.tail(out)
          + (err.isEmpty() ? "" : "\n[stderr]\n" + ProcessRunner.tail(err));
    }
  }

  /** A started process; close() kills its tree if it still runs and removes temporary files. */
  public static final class Running implements AutoCloseable {
    private final Process process;
    private final String name;
    private final Path out;
    private final boolean ownOutput;
    private final Path err;
    private final Path ownInput;
    private final Thread killOnExit;

    private Running(
        Process process, String name, Path out, boolean ownOutput, Path err, Path ownInput) {
      this.process = process;
      this.name = name;
      this.out = out;
      this.ownOutput = ownOutput;
      this.err = err;
      this.ownInput = ownInput;
      this.killOnExit = new Thread(() -> killTree(process.toHandle()), "kill-test-process");
      Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    public long pid() {
      return process.pid();
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** All output so far (stdout, and stderr unless apart). */
    public String output() {
      return read(out);
    }

    public String tail() {
      return ProcessRunner.tail(output())
          + (err == null ? "" : "\n[stderr]\n" + ProcessRunner.tail(read(err)));
    }

    /**
     * Waits for the end; after timeout kills the tree and throws an AssertionError with the tail.
     */
    public Result await(Duration timeout) {
      if (!waitFor(timeout)) {
        killTree(process.toHandle());
        throw new AssertionError(
            "'"
                + name
                + "' did not finish within "
                + timeout.toSeconds()
                + " s; killed. Output tail:\n"
                + tail());
      }
      return new Result(process.exitValue(), output(), err == null ? "" : read(err));
    }

    /** SIGKILL to the process and everything it started; returns once it is gone. */
    public void kill() {
      killTree(process.toHandle());
      if (!waitFor(Duration.ofSeconds(30)))
        throw new AssertionError("'" + name + "' survived SIGKILL for 30 s");
    }

    /** SIGTERM, then the process tree is killed if it has not ended after grace; the exit code. */
    public int stop(Duration grace) {
      process.destroy();
      if (!waitFor(grace)) kill();
      return process.exitValue();
    }

    @Override
    public void close() {
      try {
        if (process.isAlive()) kill();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
          // the JVM is shutting down: the hook runs anyway
        }
        deleteQuietly(ownOutput ? out : null);
        deleteQuietly(err);
        deleteQuietly(ownInput);
      }
    }

    private boolean waitFor(Duration timeout) {
      try {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        killTree(process.toHandle());
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for '" + name + "'", e);
      }
    }
  }

  /** Kills the process and its descendants (listed first: once the parent is gone they are not). */
  static void killTree(ProcessHandle root) {
    List<ProcessHandle> descendants = root.descendants().toList();
    root.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      root.onExit().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // reported by the caller's wait
    }
  }

  static String tail(String text) {
    String[] lines = text.split("\n", -1);
    int from = Math.max(0, lines.length - TAIL_LINES);
    return (from > 0 ? "[... " + from + " lines before]\n" : "")
        + String.join("\n", List.of(lines).subList(from, lines.length));
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8); // lenient: any bytes
    } catch (IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) return;
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file; the OS cleans /tmp
    }
  }
}
