package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code deploy/train-gc.sh}: the collector the trainer JVM runs, asked of a real JVM started with
 * the launcher's flags followed by the user's JAVA_OPTS (-XX:+PrintFlagsFinal): the serial one when
 * JAVA_OPTS names none, the user's otherwise, and never two (the JVM refuses to start).
 */
@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TrainGcScriptTest {
  private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Pattern IN_USE =
      Pattern.compile("bool\\s+(Use(?:Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC)\\s+=\\s+true");

  /** GC_FLAGS after train_gc with javaOpts as its words. */
  private static List<String> gcFlags(String javaOpts) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            "/bin/bash",
            "-c",
            "source \"$1/lib.sh\" && source \"$1/train-gc.sh\" && read -ra o <<< \"$2\""
                + " && train_gc \"${o[@]}\" && printf '%s\\n' \"${GC_FLAGS[@]}\"",
            "x",
            DEPLOY.toString(),
            javaOpts);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    List<String> flags = new ArrayList<>();
    for (String line : out.split("\n")) if (!line.isBlank()) flags.add(line.strip());
    return flags;
  }

  /** The collector a JVM started as the launcher starts the trainer uses. */
  private static String collector(String javaOpts) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(JAVA.toString()));
    cmd.addAll(gcFlags(javaOpts));
    for (String o : javaOpts.split(" ")) if (!o.isBlank()) cmd.add(o);
    cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), cmd + ":\n" + out);
    Matcher m = IN_USE.matcher(out);
    List<String> inUse = new ArrayList<>();
    while (m.find()) inUse.add(m.group(1));
    assertEquals(1, inUse.size(), cmd + ": " + inUse);
    return inUse.get(0);
  }

  @Test
  void theSerialCollectorUnlessJavaOptsNameOne() throws Exception {
    assertEquals(List.of("-XX:+UseSerialGC"), gcFlags(""));
    assertEquals("UseSerialGC", collector(""));
    assertEquals("UseSerialGC", collector("-Xmx1g -XX:+AlwaysPreTouch"));
    assertEquals(List.of(), gcFlags("-Xmx1g -XX:+UseG1GC"));
    assertEquals("UseG1GC", collector("-Xmx1g -XX:+UseG1GC"));
    assertEquals("UseParallelGC", collector("-XX:+UseParallelGC"));
  }
}
