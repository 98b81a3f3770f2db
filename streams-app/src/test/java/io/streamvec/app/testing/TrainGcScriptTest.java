package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Pattern IN_USE =
      Pattern.compile("bool\\s+(Use(?:Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC)\\s+=\\s+true");

  /** GC_FLAGS after train_gc with javaOpts as its words. */
  private static List<String> gcFlags(String javaOpts) throws Exception {
    DeployScript.Result r =
        DeployScript.of("train-gc.sh").words("GC_FLAGS").call("train_gc", words(javaOpts));
    assertEquals(0, r.exitCode(), r.output());
    return r.words();
  }

  private static List<String> words(String javaOpts) {
    return Arrays.stream(javaOpts.split(" ")).filter(o -> !o.isBlank()).toList();
  }

  /** The collector a JVM started as the launcher starts the trainer uses. */
  private static String collector(String javaOpts) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(JAVA.toString()));
    cmd.addAll(gcFlags(javaOpts));
    cmd.addAll(words(javaOpts));
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
