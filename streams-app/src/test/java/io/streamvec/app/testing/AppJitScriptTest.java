package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code deploy/app-jit.sh} and {@code deploy/app-jit.json} on the real JVM, read from its own
 * compilation log (-XX:+PrintCompilation, -XX:+PrintInlining): with the launcher's flags a hot
 * Kafka method is compiled by C1 only (ending at tier 1), and a hot method of ours that calls it
 * reaches C2 (tier 4) without inlining it; with {@code STREAMVEC_APP_JIT=default} C2 inlines the
 * same Kafka method into ours, so the first checks can fail.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AppJitScriptTest {
  /** Runs a Kafka method and one of ours hot, long enough for C2 to take both. */
  public static final class Probe {
    static long ours(byte[] b, long h) {
      for (byte x : b) h = h * 31 + x;
      return h + Utils.murmur2(b);
    }

    public static void main(String[] args) {
      byte[] data = "streamvec app jit probe".getBytes(StandardCharsets.UTF_8);
      long sink = 0;
      for (int i = 0; i < 3_000_000; i++) {
        data[i & 7] = (byte) i;
        sink += ours(data, i);
      }
      System.out.println("probe ran " + sink);
    }
  }

  private static final Pattern COMPILED =
      Pattern.compile("^\\s*\\d+\\s+\\d+\\s+[%sbn! ]*(\\d)\\s+(\\S+)");

  /**
   * From the JVM's log: the highest tier Kafka's method was compiled at and the tier of its last
   * compilation, the highest tier of ours (0: never compiled), and whether C2 inlined Kafka's
   * method into ours (-XX:+PrintInlining; only C2 inlines hot calls, "inline (hot)").
   */
  private record Tiers(int kafka, int kafkaLast, int ours, boolean kafkaInlined, String log) {}

  /**
   * Runs the probe with the launcher's JIT flags. -Xbatch: a method stops at each compilation it
   * asks for until it is done, so the tiers reached depend on the probe's counts only, not on how
   * busy the machine's cores are (in the background, C2 could still be compiling when it ends).
   */
  private static Tiers run(Map<String, String> env) throws Exception {
    // -XX:+DisplayVMOutput after the launcher's flags, as in JAVA_OPTS: the VM's own output (the
    // compilation log) on again
    DeployScript.Result r =
        probe(
            env,
            Probe.class,
            List.of(
                "-XX:+UnlockDiagnosticVMOptions",
                "-XX:+DisplayVMOutput",
                "-Xbatch",
                "-XX:+PrintCompilation",
                "-XX:+PrintInlining"));
    String out = r.output();
    assertEquals(0, r.exitCode(), out);
    assertTrue(out.contains("probe ran"), out);
    // the VM's own messages (the directives' announcement among them) stay off the app's stdout
    if (!env.containsKey("STREAMVEC_APP_JIT"))
      assertTrue(r.stdout().lines().allMatch(l -> l.startsWith("probe ran")), r.stdout());
    int kafka = 0, kafkaLast = 0, ours = 0;
    boolean inlined = false;
    for (String line : out.split("\n")) {
      if (line.contains("Utils::murmur2") && line.contains("inline (hot)")) inlined = true;
      Matcher m = COMPILED.matcher(line);
      if (!m.find()) continue;
      int tier = Integer.parseInt(m.group(1));
      if (m.group(2).equals("org.apache.kafka.common.utils.Utils::murmur2")
          && !line.contains("made not entrant")) {
        kafka = Math.max(kafka, tier);
        kafkaLast = tier;
      }
      if (m.group(2).equals(Probe.class.getName() + "::ours")) ours = Math.max(ours, tier);
    }
    return new Tiers(kafka, kafkaLast, ours, inlined, out);
  }

  /** Prints what the probe prints, and nothing else (Kafka's Utils logs through SLF4J). */
  public static final class Quiet {
    public static void main(String[] args) {
      System.out.println("probe ran quietly");
    }
  }

  /** main's class on a JVM with the launcher's JIT flags, then jvmFlags. */
  private static DeployScript.Result probe(
      Map<String, String> env, Class<?> main, List<String> jvmFlags) throws Exception {
    String cp = jarOf(Probe.class) + ":" + jarOf(Utils.class) + ":" + jarOf(LoggerFactory.class);
    List<String> args = new ArrayList<>(jvmFlags);
    args.addAll(List.of("-cp", cp, main.getName()));
    return DeployScript.of("app-jit.sh")
        .env(env)
        .words("JIT_FLAGS")
        .thenExec("java", args)
        .timeout(Duration.ofSeconds(120))
        .call("app_jit", DeployScript.dir().toString());
  }

  @Test
  void theJvmsOwnOutputStaysOffStderrUnlessSomethingGoesWrong(@TempDir Path deploy)
      throws Exception {
    DeployScript.Result quiet = probe(Map.of(), Quiet.class, List.of());
    assertEquals(0, quiet.exitCode(), quiet.output());
    assertEquals("", quiet.stderr(), "no announcement of the directives");
    assertTrue(quiet.stdout().startsWith("probe ran"), quiet.output());
    // the JVM's warnings still show
    DeployScript.Result warned = probe(Map.of(), Quiet.class, List.of("-Xverify:none"));
    assertEquals(0, warned.exitCode(), warned.output());
    assertTrue(warned.stderr().contains("-Xverify:none"), warned.output());
    // a directives file the JVM does not load stops the start with the JVM's reason and the fix
    Files.writeString(deploy.resolve("app-jit.json"), "[{match: \"*.*\", c2: {Exclude: tru}}]");
    DeployScript.Result broken =
        DeployScript.of("app-jit.sh").call("app_jit", deploy.toString(), "--set", "a=b");
    assertEquals(1, broken.exitCode(), broken.output());
    assertTrue(broken.stderr().contains("Expected \"true\""), broken.output());
    assertTrue(broken.stderr().contains("STREAMVEC_APP_JIT=default"), broken.output());
  }

  private static Path jarOf(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void kafkaCodeStaysOnC1AndOursReachesC2() throws Exception {
    Tiers t = run(Map.of());
    // profiled C1 code (tier 3) first, as for any method; then C1 without profiling, never C2
    assertTrue(t.kafka() < 4, "Kafka's murmur2 never reaches C2\n" + t.log());
    assertEquals(1, t.kafkaLast(), "Kafka's murmur2 ends on C1 without profiling\n" + t.log());
    assertEquals(4, t.ours(), "our method: C2\n" + t.log());
    assertFalse(t.kafkaInlined(), "C2 calls Kafka's method instead of inlining it\n" + t.log());
  }

  @Test
  void defaultLeavesTheJvmPolicy() throws Exception {
    Tiers t = run(Map.of("STREAMVEC_APP_JIT", "default"));
    // C2 takes Kafka's murmur2 into its code of ours; whether it also compiles murmur2 on its own
    // depends on which of the two methods' counters trips first
    assertTrue(t.kafkaInlined(), "without the directives C2 inlines Kafka's murmur2\n" + t.log());
    assertFalse(t.log().contains("CompilerDirectivesFile"), t.log());
  }

  @Test
  void commandsThatTrainNothingGetNoFlags() throws Exception {
    assertEquals("", flags("--help"));
    assertEquals("", flags("--set", "a=b", "--print-config"));
    assertTrue(flags("--set", "a=b").contains("-XX:CompilerDirectivesFile="), flags());
  }

  /** JIT_FLAGS as app_jit sets them for these app arguments, one per line. */
  private static String flags(String... appArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of(DeployScript.dir().toString()));
    args.addAll(List.of(appArgs));
    DeployScript.Result r = DeployScript.of("app-jit.sh").words("JIT_FLAGS").call("app_jit", args);
    assertEquals(0, r.exitCode(), r.output());
    return String.join("\n", r.words());
  }

  @Test
  void anUnknownValueIsRefusedWithTheFix() throws Exception {
    DeployScript.Result r =
        DeployScript.of("app-jit.sh")
            .env(Map.of("STREAMVEC_APP_JIT", "c2"))
            .call("app_jit", DeployScript.dir().toString());
    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.stderr().contains("STREAMVEC_APP_JIT=c2: use libraries-c1"), r.output());
  }
}
