package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sv_java_home} (deploy/lib.sh), the launcher's choice of JDK, on a directory of stand-in
 * JDKs: each is a {@code release} file as the JDKs write it and an executable bin/java.
 */
@Tag("integration")
class JavaHomeScriptTest {
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

  /** sv_java_home with an empty PATH for java (only SV_JVM_DIR counts). */
  private DeployScript.Result javaHome(Map<String, String> env) throws Exception {
    return DeployScript.lib()
        .unset("STREAMVEC_JAVA_HOME")
        .env(Map.of("PATH", "/usr/bin:/bin:/nonexistent", "SV_JVM_DIR", jvms.toString()))
        .env(env)
        .call("sv_java_home");
  }

  /** The JDK directory sv_java_home prints ("": the java on PATH). */
  private String chosen(Map<String, String> env) throws Exception {
    DeployScript.Result r = javaHome(env);
    assertEquals(0, r.exitCode(), r.output());
    return r.stdout();
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
    assertEquals(jdk25, chosen(Map.of()));
    String jdk17 = jvms.resolve("jdk-17").toString();
    assertEquals(jdk17, chosen(Map.of("STREAMVEC_JAVA_HOME", jdk17)));
    // path (or empty): the java on PATH, so nothing to put in front of it
    assertEquals("", chosen(Map.of("STREAMVEC_JAVA_HOME", "path")));
    assertEquals("", chosen(Map.of("STREAMVEC_JAVA_HOME", "")));
  }

  @Test
  void aStreamvecJavaHomeWithoutJavaStopsWithWhatToSet() throws Exception {
    DeployScript.Result r =
        javaHome(Map.of("STREAMVEC_JAVA_HOME", jvms.resolve("none").toString()));
    assertTrue(
        r.stderr().contains("has no bin/java: set it to a JDK 17+ directory, or to 'path'"),
        r.output());
    assertEquals(1, r.exitCode(), r.output());
  }

  @Test
  void withNoJdkFrom17To25NothingIsChosen() throws Exception {
    jdk("jdk-11", "11.0.2");
    jdk("jdk-26-ea", "26");
    assertEquals("", chosen(Map.of()));
  }
}
