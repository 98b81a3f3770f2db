package io.streamvec.producer;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The produce command's progress on stderr, rewritten in place about 4 times a second: bytes read
 * (of the total when the inputs are files), records/s and, when the total is known, the percentage
 * and ETA. Only for a terminal: a log file or pipe gets nothing but the summary line.
 */
final class ProgressLine {
  private static final long EVERY_NANOS = 250_000_000L;
  private final PrintStream err;
  private final boolean enabled;
  private final long totalBytes; // -1 = unknown (stdin, --loop)
  private final long start = System.nanoTime();
  private long lastPrint;
  private int lastWidth;

  ProgressLine(PrintStream err, boolean enabled, long totalBytes) {
    this.err = err;
    this.enabled = enabled;
    this.totalBytes = totalBytes;
  }

  /** True when stderr is most likely a terminal (the JDK cannot ask about stderr alone). */
  static boolean terminal() {
    String term = System.getenv("TERM");
    return System.console() != null && term != null && !term.equals("dumb");
  }

  void update(long bytes, long records) {
    if (!enabled) return;
    long now = System.nanoTime();
    if (now - lastPrint < EVERY_NANOS) return;
    lastPrint = now;
    double s = Math.max(1e-9, (now - start) / 1e9);
    StringBuilder b = new StringBuilder();
    b.append(bytes(bytes));
    if (totalBytes > 0) {
      double f = Math.min(1, (double) bytes / totalBytes);
      b.append(" / ")
          .append(bytes(totalBytes))
          .append(String.format(Locale.ROOT, " %5.1f%% ", 100 * f))
          .append(bar(f));
      if (f > 0.001) b.append("  ETA ").append(duration(s / f - s));
    }
    b.append(String.format(Locale.ROOT, "  %,d records  %,.0f records/s", records, records / s));
    String line = b.toString();
    err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
    err.flush();
    lastWidth = line.length();
  }

  /** Clears the line, so the summary that follows starts clean. */
  void done() {
    if (enabled && lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
    }
  }

  private static String bar(double f) {
    int filled = (int) Math.round(f * 20);
    return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
  }

  static String bytes(long n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    if (n < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
  }

  private static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
