package io.streamvec.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The memory of a running JVM, as a benchmark reads it (Linux + the JDK's jcmd): the live heap
 * after a full GC (jcmd GC.class_histogram collects first, then counts every reachable object), its
 * largest classes, the heap committed, the resident set now and at its peak, the JVM's own native
 * memory when the JVM runs with -XX:NativeMemoryTracking=summary, and bytes on disk of a directory
 * (the app's state dir: RocksDB). RSS minus what the JVM tracks is memory the JVM does not account
 * for (RocksDB's block cache and memtables, glibc arenas).
 */
final class ProcessMemory {
  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
  private static final Pattern ROW =
      Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s.*)?$");
  private static final Pattern HEAP_COMMITTED = Pattern.compile("heap\\s+total (\\d+)K, used");
  private static final Pattern NMT_COMMITTED =
      Pattern.compile("(?m)^Total: reserved=(\\d+)KB, committed=(\\d+)KB");

  private ProcessMemory() {}

  /** Reads every figure of process pid (stateDir may be null); keys end in their unit. */
  static Map<String, Object> of(long pid, Path stateDir, int topClasses)
      throws IOException, InterruptedException {
    Map<String, Object> m = new LinkedHashMap<>();
    String histogram = jcmd(pid, "GC.class_histogram");
    Matcher total = TOTAL.matcher(histogram);
    if (!total.find()) throw new IllegalStateException("no Total in the histogram: " + histogram);
    m.put("live_heap_mb", mb(Long.parseLong(total.group(2))));
    Map<String, Object> top = new LinkedHashMap<>();
    Matcher row = ROW.matcher(histogram);
    while (top.size() < topClasses && row.find())
      top.put(row.group(3), mb(Long.parseLong(row.group(2))));
    m.put("top_classes_mb", top);
    Matcher heap = HEAP_COMMITTED.matcher(jcmd(pid, "GC.heap_info"));
    m.put("heap_committed_mb", heap.find() ? Long.parseLong(heap.group(1)) / 1024 : null);
    m.put("rss_mb", status(pid, "VmRSS:") / 1024);
    m.put("peak_rss_mb", status(pid, "VmHWM:") / 1024);
    Matcher nmt = NMT_COMMITTED.matcher(jcmd(pid, "VM.native_memory", "summary"));
    m.put("jvm_committed_mb", nmt.find() ? Long.parseLong(nmt.group(2)) / 1024 : null);
    if (stateDir != null) m.put("state_dir_mb", mb(bytesUnder(stateDir)));
    return m;
  }

  private static double mb(long bytes) {
    return Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
  }

  /** A line of /proc/pid/status in kB (VmRSS:, VmHWM:). */
  static long status(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
      if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    return -1;
  }

  private static long bytesUnder(Path dir) throws IOException {
    if (!Files.exists(dir)) return 0;
    try (Stream<Path> files = Files.walk(dir)) {
      long sum = 0;
      for (Path p : files.filter(Files::isRegularFile).toList()) sum += Files.size(p);
      return sum;
    }
  }

  private static String jcmd(long pid, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(String.valueOf(pid));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    return out;
  }
}
