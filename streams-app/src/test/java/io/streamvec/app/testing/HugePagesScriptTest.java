package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/huge-pages.sh}: which flags the trainer JVM gets for each kernel setting (on
 * stand-in sysfs files), and that with them a real JVM's heap is backed by huge pages, as the
 * kernel counts them in /proc/PID/smaps_rollup.
 */
@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HugePagesScriptTest {
  private static final Path REAL_SYSFS = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

  @TempDir Path dir;

  /** Fills a heap array, then prints the AnonHugePages of its own process in kB. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      long[] a = new long[16 << 20]; // 128 MB
      for (int i = 0; i < a.length; i += 512) a[i] = i;
      Matcher m =
          Pattern.compile("AnonHugePages:\\s+(\\d+) kB")
              .matcher(Files.readString(Path.of("/proc/self/smaps_rollup")));
      System.out.println(m.find() ? m.group(1) : "-1");
      System.out.println(a[a.length - 512]);
    }
  }

  /** huge_pages with env on top of this JVM's (without its STREAMVEC_HUGE_PAGES). */
  private static DeployScript.Result hugePages(Map<String, String> env) throws Exception {
    return DeployScript.of("huge-pages.sh")
        .unset("STREAMVEC_HUGE_PAGES")
        .env(env)
        .words("HUGE_PAGE_FLAGS")
        .call("huge_pages");
  }

  /** HUGE_PAGE_FLAGS, one per line, after huge_pages succeeded. */
  private static String flags(Map<String, String> env) throws Exception {
    DeployScript.Result r = hugePages(env);
    assertEquals(0, r.exitCode(), r.output());
    return String.join("\n", r.words());
  }

  private String flagsFor(String sysfs, String setting) throws Exception {
    Path file = dir.resolve("enabled");
    Files.writeString(file, sysfs + "\n");
    Map<String, String> env =
        new java.util.HashMap<>(Map.of("SV_THP_ENABLED_FILE", file.toString()));
    if (setting != null) env.put("STREAMVEC_HUGE_PAGES", setting);
    return flags(env);
  }

  @Test
  void hugePagesAreAskedForOnlyWhereTheKernelGrantsThemOnRequest() throws Exception {
    assumeTrue(System.getProperty("os.name").equals("Linux"));
    String on = "-XX:+UseTransparentHugePages";
    assertEquals(on, flagsFor("always [madvise] never", null));
    assertEquals(on, flagsFor("[always] madvise never", null));
    assertEquals(on, flagsFor("always [madvise] never", "auto"));
    assertEquals("", flagsFor("always madvise [never]", null));
    assertEquals("", flagsFor("always [madvise] never", "off"));
    assertEquals("", flags(Map.of("SV_THP_ENABLED_FILE", dir.resolve("absent").toString())));
  }

  @Test
  void anUnknownSettingIsRefusedWithTheFix() throws Exception {
    DeployScript.Result r = hugePages(Map.of("STREAMVEC_HUGE_PAGES", "yes"));
    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.stderr().contains("STREAMVEC_HUGE_PAGES=yes: use auto"), r.output());
  }

  /** AnonHugePages (kB) of a probe JVM with the given extra flags. */
  private static long probe(List<String> extra) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx256m"));
    cmd.addAll(extra);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return Long.parseLong(out.lines().findFirst().orElseThrow().trim());
  }

  @Test
  void withTheFlagsTheHeapIsBackedByHugePages() throws Exception {
    assumeTrue(
        Files.isReadable(REAL_SYSFS) && Files.isReadable(Path.of("/proc/self/smaps_rollup")));
    String mode = Files.readString(REAL_SYSFS);
    String flags = flags(Map.of());
    assumeTrue(!flags.isEmpty(), "this kernel grants no huge pages on request: " + mode);
    long with = probe(flags.lines().toList());
    assertTrue(with >= 64 * 1024, "AnonHugePages with " + flags + ": " + with + " kB");
    if (mode.contains("[madvise]")) {
      // only asked-for memory gets huge pages in this mode: without the flag, the heap gets none
      long without = probe(List.of());
      assertTrue(without < with / 4, "without the flag " + without + " kB, with " + with + " kB");
    }
  }
}
