package io.streamvec.trainer;

import io.streamvec.model.Learner;
import io.streamvec.model.eval.PrequentialNgram;
import io.streamvec.model.lm.PairedScores;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --curve FILE}: one JSON line per {@code every} tokens (and one at the end) for a
 * learning-curve plot: {tokens, seconds, tokens_per_sec, perplexity, window_perplexity,
 * ngram_perplexity, ngram_window_perplexity, served_perplexity, served_window_perplexity,
 * vocab_size}. Perplexities are prequential (cumulative and over the last eval-window scored
 * tokens); the ngram ones are null without --baseline ngram, the served (model + n-gram mixture)
 * ones without the mixture, any of them null before the first scored token. Points fall on record
 * boundaries, so tokens is the first count at or past each multiple of every.
 */
final class LearningCurve implements AutoCloseable {
  private final BufferedWriter out;
  private final long every;
  private long next, lastWritten = -1;

  LearningCurve(Path file, long every) throws IOException {
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    this.every = every;
    this.next = every;
  }

  /** True when tokens (of this run) reached the next multiple of every: time to {@link #write}. */
  boolean due(long tokens) {
    return tokens >= next;
  }

  /** True unless the last point written is at tokens (then the end needs no extra point). */
  boolean endPending(long tokens) {
    return tokens != lastWritten;
  }

  void write(Learner l, PrequentialNgram ngram, long tokens, long elapsedNanos) throws IOException {
    double seconds = elapsedNanos / 1e9;
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("tokens", tokens);
    p.put("seconds", seconds);
    p.put("tokens_per_sec", tokens / Math.max(seconds, 1e-9));
    p.put("perplexity", l.meter().perplexity());
    p.put("window_perplexity", l.meter().windowPerplexity());
    p.put("ngram_perplexity", ngram == null ? null : ngram.perplexity());
    p.put("ngram_window_perplexity", ngram == null ? null : ngram.windowPerplexity());
    boolean mixed = l.mixture() != null;
    p.put(
        "served_perplexity", mixed ? l.mixture().scores().perplexity(PairedScores.MIXTURE) : null);
    p.put(
        "served_window_perplexity",
        mixed ? l.mixture().scores().windowPerplexity(PairedScores.MIXTURE) : null);
    p.put("vocab_size", l.vocabulary().size());
    out.write(Json.object(p));
    out.newLine();
    lastWritten = tokens;
    next = (tokens / every + 1) * every;
  }

  @Override
  public void close() throws IOException {
    out.close();
  } // flushes
}
