package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/app-cds.sh} (the launcher's class archive for the app JVM) on a one-class jar and
 * the real JVM: the first run writes an archive at exit, the next one starts from it, and a
 * truncated, half-written or stale archive never stops a start.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AppCdsScriptTest {
  /** The app stand-in: loads a class of its jar and exits normally (which writes the archive). */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println("probe ran");
    }
  }

  private static final String DEAD_PID = "2147483646"; // above any pid_max

  @TempDir Path dir;
  private Path jar;
  private Path cds;

  private record Run(int exitCode, String output, List<String> flags) {
    boolean dumps() {
      return flags.stream().anyMatch(f -> f.startsWith("-XX:ArchiveClassesAtExit="));
    }

    boolean uses() {
      return flags.stream().anyMatch(f -> f.startsWith("-XX:SharedArchiveFile="));
    }
  }

  @BeforeEach
  void probeJar() throws IOException {
    jar = dir.resolve("mod/app.jar");
    cds = dir.resolve("mod/cds");
    Files.createDirectories(jar.getParent());
    String entry = Probe.class.getName().replace('.', '/') + ".class";
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, manifest);
        InputStream in = Probe.class.getClassLoader().getResourceAsStream(entry)) {
      j.putNextEntry(new JarEntry(entry));
      in.transferTo(j);
      j.closeEntry();
    }
  }

  /**
   * Sources the script (after deploy/lib.sh, as the launcher does), lets app_cds choose the flags,
   * and execs the JVM with them, then with jvmFlags.
   */
  private Run run(List<String> jvmFlags, Map<String, String> env, String... appArgs)
      throws Exception {
    List<String> jvmArgs = new ArrayList<>(jvmFlags);
    jvmArgs.addAll(List.of("-cp", jar.toString(), Probe.class.getName()));
    jvmArgs.addAll(List.of(appArgs));
    List<String> cdsArgs = new ArrayList<>(List.of(jar.toString(), jar.toString()));
    cdsArgs.addAll(List.of(appArgs));
    DeployScript.Result r =
        DeployScript.of("app-cds.sh")
            .env(env)
            .words("CDS_FLAGS")
            .thenExec("java", jvmArgs)
            .call("app_cds", cdsArgs);
    return new Run(r.exitCode(), r.output(), r.words());
  }

  private Run run(String... appArgs) throws Exception {
    return run(List.of(), Map.of(), appArgs);
  }

  /** -Xshare:on: the JVM fails to start unless it maps the archive. */
  private Run runSharedOn() throws Exception {
    return run(List.of("-Xshare:on"), Map.of());
  }

  private List<String> cdsFiles() throws IOException {
    try (Stream<Path> s = Files.list(cds)) {
      return s.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertRan(Run r) {
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("probe ran"), r.output());
  }

  @Test
  void theFirstRunWritesTheArchiveAtExitAndTheNextStartsFromIt() throws Exception {
    Run first = run();
    assertRan(first);
    assertTrue(first.dumps() && !first.uses(), first.flags().toString());
    List<String> written = cdsFiles();
    assertEquals(1, written.size(), written.toString());
    assertTrue(written.get(0).matches("app\\.jsa\\.\\d+\\.tmp"), written.toString());

    Run second = runSharedOn();
    assertRan(second);
    assertTrue(second.uses() && !second.dumps(), second.flags().toString());
    assertEquals(List.of("app.jsa", "app.jsa.ok"), cdsFiles());
    assertTrue(runSharedOn().uses(), "and the ones after");
  }

  @Test
  void helpRunsWriteNoArchiveAndOffTurnsItAllOff() throws Exception {
    Run help = run("--help");
    assertRan(help);
    assertFalse(help.dumps() || help.uses(), help.flags().toString());
    assertEquals(List.of(), cdsFiles());
    Run off = run(List.of(), Map.of("STREAMVEC_CDS", "off"));
    assertRan(off);
    assertEquals(List.of(), off.flags());
  }

  @Test
  void aTruncatedArchiveIsNotUsedAndIsReplaced() throws Exception {
    run();
    run(); // adopted
    Path archive = cds.resolve("app.jsa");
    truncate(archive);
    Run r = run();
    assertRan(r);
    assertTrue(r.dumps() && !r.uses(), r.flags().toString());
    assertTrue(run().uses(), "the archive that run wrote is the new one");
  }

  @Test
  void aHalfWrittenArchiveOfADeadJvmIsRejected() throws Exception {
    run();
    Path tmp;
    try (Stream<Path> s = Files.list(cds)) {
      tmp = s.findFirst().orElseThrow();
    }
    Path dead = cds.resolve("app.jsa." + DEAD_PID + ".tmp");
    Files.move(tmp, dead);
    truncate(dead);
    Run r = run();
    assertRan(r);
    assertTrue(r.dumps() && !r.uses(), r.flags().toString());
    assertFalse(Files.exists(dead), "the broken file is removed");
  }

  @Test
  void anArchiveOlderThanTheJarIsNotUsed() throws Exception {
    run();
    assertTrue(run().uses());
    Files.setLastModifiedTime(
        jar,
        FileTime.fromMillis(Files.getLastModifiedTime(cds.resolve("app.jsa")).toMillis() + 5_000));
    Run r = run();
    assertRan(r);
    assertTrue(r.dumps() && !r.uses(), "a rebuilt jar needs a new archive: " + r.flags());
    assertFalse(Files.exists(cds.resolve("app.jsa")));
  }

  private static void truncate(Path file) throws IOException {
    assertTrue(file.toFile().setWritable(true)); // the JVM writes archives read-only
    byte[] b = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(b, b.length / 2));
  }
}
