package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sv_java_home} (deploy/lib.sh), the launcher's choice of JDK, on a directory of stand-in
 * JDKs: each is a {@code release} file as the JDKs write it and an executable bin/java.
 */
@Tag("integration")
class JavaHomeScriptTest {
  private static final Path LIB = Path.of("..", "deploy", "lib.sh").toAbsolutePath().normalize();

  @TempDir Path jvms;

  private void jdk(String name, String version) throws Exception {
    Path bin = Files.createDirectories(jvms.resolve(name).resolve("bin"));
    Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        jvms.resolve(name).resolve("release"),
        "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\""
            + version
            + "\"\nJAVA_VERSION_DATE=\"2026-01-01\"\n");
  }

  /** Exit code and output of sv_java_home with an empty PATH for java (only SV_JVM_DIR counts). */
  private String[] choose(Map<String, String> env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            "/bin/bash",
            "-c",
            "source \"$1\" && sv_java_home; echo \" rc=$?\"",
            "x",
            LIB.toString());
    pb.environment().remove("STREAMVEC_JAVA_HOME");
    pb.environment().put("PATH", "/usr/bin:/bin:/nonexistent");
    pb.environment().put("SV_JVM_DIR", jvms.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return new String[] {out, Integer.toString(p.exitValue())};
  }

  @Test
  void theNewestJdkFrom17To25IsChosenAndStreamvecJavaHomeWins() throws Exception {
    jdk("jdk-11", "11.0.2");
    jdk("jdk-17", "17.0.15");
    jdk("jdk-21", "21.0.4");
    jdk("temurin-25", "25.0.3");
    jdk("jdk-26-ea", "26");
    Files.createDirectories(jvms.resolve("not-a-jdk"));
    String jdk25 = jvms.resolve("temurin-25").toString();
    assertEquals(jdk25 + " rc=0", choose(Map.of())[0]);
    String jdk17 = jvms.resolve("jdk-17").toString();
    assertEquals(jdk17 + " rc=0", choose(Map.of("STREAMVEC_JAVA_HOME", jdk17))[0]);
    // path (or empty): the java on PATH, so nothing to put in front of it
    assertEquals("rc=0", choose(Map.of("STREAMVEC_JAVA_HOME", "path"))[0]);
    assertEquals("rc=0", choose(Map.of("STREAMVEC_JAVA_HOME", ""))[0]);
  }

  @Test
  void aStreamvecJavaHomeWithoutJavaStopsWithWhatToSet() throws Exception {
    String[] r = choose(Map.of("STREAMVEC_JAVA_HOME", jvms.resolve("none").toString()));
    assertTrue(r[0].contains("has no bin/java: set it to a JDK 17+ directory, or to 'path'"), r[0]);
    assertEquals("1", r[1]);
  }

  @Test
  void withNoJdkFrom17To25NothingIsChosen() throws Exception {
    jdk("jdk-11", "11.0.2");
    jdk("jdk-26-ea", "26");
    assertEquals("rc=0", choose(Map.of())[0]);
  }
}
