package io.streamvec.trainer;

import io.streamvec.model.Learner;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line on stderr about once a second: rewritten in place on a terminal, a plain line
 * otherwise.
 */
final class Progress {
  private final PrintStream err;
  private final boolean enabled, terminal;
  private final long totalBytes;
  private long lastPrint;
  private boolean printed;

  Progress(PrintStream err, boolean enabled, long totalBytes) {
    this.err = err;
    this.enabled = enabled;
    this.terminal = System.console() != null;
    this.totalBytes = totalBytes;
  }

  void update(Learner l, long bytes, long elapsedNanos, long startTokens) {
    if (!enabled) return;
    long now = System.nanoTime();
    if (now - lastPrint < (terminal ? 1_000_000_000L : 10_000_000_000L)) return;
    lastPrint = now;
    double s = elapsedNanos / 1e9;
    long n = l.tokens() - startTokens;
    String pct =
        totalBytes > 0 ? String.format(Locale.ROOT, "%5.1f%% ", 100.0 * bytes / totalBytes) : "";
    String line =
        String.format(
            Locale.ROOT,
            "%s%,12d tokens  %,9.0f tok/s  ppl %8.1f (window %8.1f)  vocab %,d",
            pct,
            n,
            n / Math.max(s, 1e-9),
            l.meter().perplexity(),
            l.meter().windowPerplexity(),
            l.vocabulary().size());
    if (terminal) err.print("\r" + line);
    else err.println(line);
    printed = true;
  }

  void done() {
    if (enabled && terminal && printed) err.println();
  }
}
