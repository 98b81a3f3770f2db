package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputSourcesTest {
  @TempDir Path dir;

  @Test
  void directoriesExpandRecursivelyInSortedOrderWithRelativeKeys() throws IOException, CliFailure {
    Files.createDirectories(dir.resolve("b/inner"));
    Files.createDirectories(dir.resolve(".git"));
    for (String f :
        List.of("b/inner/z.txt", "b/a.txt.gz", "a.txt", "c.txt", ".hidden", ".git/config"))
      Files.writeString(dir.resolve(f), "x\n");
    Path single =
        Files.writeString(dir.resolve("b/inner/z.txt").getParent().resolve("y.txt"), "y\n");
    List<InputSources.Source> s =
        InputSources.expand(List.of(dir.toString(), single.toString(), "-"));
    assertEquals(
        List.of("a.txt", "b/a.txt.gz", "b/inner/y.txt", "b/inner/z.txt", "c.txt", "y.txt", "stdin"),
        s.stream().map(InputSources.Source::key).toList());
    assertEquals(2, s.get(0).size());
    assertTrue(s.get(6).isStdin());
  }

  @Test
  void everyMissingInputIsReportedWithExitCode3() {
    CliFailure f =
        assertThrows(
            CliFailure.class,
            () ->
                InputSources.expand(
                    List.of(dir.toString(), "/no/such/file", dir.resolve("gone").toString())));
    assertEquals(CliFailure.MISSING_INPUT, f.exitCode);
    assertTrue(
        f.getMessage().contains("/no/such/file") && f.getMessage().contains("gone"),
        f.getMessage());
  }

  @Test
  void stdinOnlyOnce() {
    assertEquals(
        CliFailure.USAGE,
        assertThrows(CliFailure.class, () -> InputSources.expand(List.of("-", "-"))).exitCode);
  }
}
