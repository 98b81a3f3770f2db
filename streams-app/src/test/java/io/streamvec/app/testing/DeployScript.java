package io.streamvec.app.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A script of deploy/ run in bash for the script tests. {@link #call} does what ./streamvec does
 * with one: sources deploy/lib.sh, then the script, calls one of its functions and reads back the
 * words of the array the function sets (written to a file of their own, so nothing the function
 * prints mixes in); {@link #thenExec} makes the same shell exec a program with those words, as the
 * launcher does (app_cds names the archive after the pid of the JVM its shell becomes). {@link
 * #run} runs the script itself. stdout and stderr are kept apart.
 */
final class DeployScript {
  /** Exit code, stdout and stderr of the shell, and the array's words (none if none was read). */
  record Result(int exitCode, String stdout, String stderr, List<String> words) {
    String output() {
      return stdout + stderr;
    }
  }

  private final String script;
  private final Map<String, String> env = new HashMap<>();
  private final List<String> unset = new ArrayList<>();
  private String array;
  private List<String> exec = List.of();
  private Duration timeout = Duration.ofSeconds(60);

  private DeployScript(String script) {
    this.script = script;
  }

  /** deploy/lib.sh alone. */
  static DeployScript lib() {
    return new DeployScript(null);
  }

  /** deploy/{@code name}, sourced after deploy/lib.sh by {@link #call}. */
  static DeployScript of(String name) {
    return new DeployScript(name);
  }

  /** The repository's deploy/ directory (tests run in their module's directory). */
  static Path dir() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent())
      if (Files.isRegularFile(d.resolve("deploy/lib.sh"))) return d.resolve("deploy");
    throw new IllegalStateException(
        "deploy/lib.sh not found above " + Path.of("").toAbsolutePath());
  }

  /** Variables the shell gets on top of this JVM's environment. */
  DeployScript env(Map<String, String> vars) {
    env.putAll(vars);
    return this;
  }

  /** A variable of this JVM's environment the shell does not get (unless {@link #env} sets it). */
  DeployScript unset(String var) {
    unset.add(var);
    return this;
  }

  /** The array variable whose words {@link #call} reads back after the function returns. */
  DeployScript words(String arrayVar) {
    if (!arrayVar.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException(arrayVar);
    array = arrayVar;
    return this;
  }

  /** After the function: exec program with the array's words, then args (a bash exec). */
  DeployScript thenExec(String program, List<String> args) {
    exec = new ArrayList<>(List.of(program));
    exec.addAll(args);
    return this;
  }

  DeployScript timeout(Duration limit) {
    timeout = limit;
    return this;
  }

  /** Sources lib.sh and the script and calls function with args; stops at the first failure. */
  Result call(String function, String... args) throws Exception {
    return call(function, List.of(args));
  }

  Result call(String function, List<String> args) throws Exception {
    if (!function.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException(function);
    Path words = Files.createTempFile("deploy-script-", ".words");
    // $1 deploy dir, $2 words file, $3 argument count, then the arguments, then the exec command
    String text =
        "d=\"$1\"; w=\"$2\"; n=\"$3\"; shift 3; source \"$d/lib.sh\""
            + (script == null ? "" : " && source \"$d/" + script + "\"")
            + " && "
            + function
            + " \"${@:1:$n}\" || exit; shift \"$n\";"
            + (array == null
                ? ""
                : " for x in \"${" + array + "[@]}\"; do printf '%s\\n' \"$x\"; done > \"$w\";")
            + (exec.isEmpty() ? "" : " p=\"$1\"; shift; exec \"$p\"")
            + (exec.isEmpty() || array == null ? "" : " \"${" + array + "[@]}\"")
            + (exec.isEmpty() ? "" : " \"$@\"");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "bash",
                "-c",
                text,
                "deploy-script",
                dir().toString(),
                words.toString(),
                Integer.toString(args.size())));
    cmd.addAll(args);
    cmd.addAll(exec);
    try {
      Result r = start(cmd, List.of());
      return new Result(r.exitCode(), r.stdout(), r.stderr(), Files.readAllLines(words));
    } finally {
      Files.delete(words);
    }
  }

  /** Runs the script itself with args. */
  Result run(String... args) throws Exception {
    return start(List.of("bash", dir().resolve(script).toString()), List.of(args));
  }

  private Result start(List<String> command, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(command);
    cmd.addAll(args);
    Path out = Files.createTempFile("deploy-script-", ".out");
    Path err = Files.createTempFile("deploy-script-", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      unset.forEach(pb.environment()::remove);
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not end within " + timeout);
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8),
          List.of());
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }
}
