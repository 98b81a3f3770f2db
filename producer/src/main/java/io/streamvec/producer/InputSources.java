package io.streamvec.producer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The produce command's inputs, expanded: a FILE is itself (key = its file name), a DIR is every
 * regular file below it in sorted path order (key = the path relative to DIR, with '/'; hidden
 * files and directories, whose names start with '.', are skipped), and "-" is standard input (key
 * "stdin", at most once). Every missing or unreadable input is reported at once, before anything is
 * sent.
 */
final class InputSources {
  static final String STDIN = "-";

  /** One input: its record key, and the file (null for stdin) with its size for progress. */
  record Source(String key, Path file, long size) {
    boolean isStdin() {
      return file == null;
    }

    InputStream open(InputStream stdin) throws IOException {
      return file == null ? stdin : Files.newInputStream(file);
    }
  }

  private InputSources() {}

  static List<Source> expand(List<String> arguments) throws CliFailure {
    List<Source> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    boolean stdinSeen = false;
    for (String a : arguments) {
      if (a.equals(STDIN)) {
        if (stdinSeen)
          throw new CliFailure(CliFailure.USAGE, "standard input ('-') can be named only once");
        stdinSeen = true;
        out.add(new Source("stdin", null, -1));
        continue;
      }
      Path p = Path.of(a);
      if (!Files.exists(p)) {
        problems.add("no such file or directory: " + a);
      } else if (Files.isDirectory(p)) {
        try {
          out.addAll(directory(p, problems));
        } catch (IOException | UncheckedIOException e) {
          problems.add("cannot list directory " + a + ": " + e.getMessage());
        }
      } else if (!Files.isReadable(p)) {
        problems.add("cannot read " + a + " (permission denied)");
      } else {
        out.add(new Source(p.getFileName().toString(), p, size(p)));
      }
    }
    if (!problems.isEmpty())
      throw new CliFailure(CliFailure.MISSING_INPUT, String.join("; ", problems));
    return out;
  }

  private static List<Source> directory(Path dir, List<String> problems) throws IOException {
    List<Source> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> files =
          walk.filter(f -> !f.equals(dir) && !hidden(dir.relativize(f)) && Files.isRegularFile(f))
              .sorted(Comparator.comparing(f -> key(dir, f)))
              .toList();
      for (Path f : files) {
        if (!Files.isReadable(f)) problems.add("cannot read " + f + " (permission denied)");
        else out.add(new Source(key(dir, f), f, size(f)));
      }
    }
    return out;
  }

  /** The path below dir with '/' separators on every platform: the same key everywhere. */
  private static String key(Path dir, Path file) {
    Path rel = dir.relativize(file);
    StringBuilder b = new StringBuilder();
    for (Path part : rel) b.append(b.length() == 0 ? "" : "/").append(part);
    return b.toString();
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) if (part.toString().startsWith(".")) return true;
    return false;
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return -1;
    }
  }
}
