package io.streamvec.trainer;

import io.streamvec.model.Learner;
import io.streamvec.model.LearnerState;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.eval.PrequentialNgram;
import io.streamvec.model.io.Word2VecFormat;
import io.streamvec.model.lm.BitsLog;
import io.streamvec.model.lm.PairedInterval;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./streamvec train --input FILE [--dim 100] [--context 4] [--negatives 5] [--min-count 5]
 * [--seed 1] [--output vec.txt] [--json] [--baseline ngram] [--curve FILE] [--threads N]}: one pass
 * over a text file (gzip works), learning on one thread (--threads N >= 2 pipelines reading and
 * tokenizing, and runs the model's steps and exact evaluations on a second thread), printing
 * progress, then tokens/s, prequential perplexity and vocabulary size. Every model key (see {@code
 * --help}) is a flag of the same name.
 */
public final class TrainCommand {

  static final String USAGE =
      """
      usage: ./streamvec train --input FILE|- [options]
        Trains on FILE (plain or gzip; - = stdin) in one pass, one record per line, and reports
        prequential perplexity (each token scored before it is learned) and throughput.
      options:
        --output FILE        write the word vectors (word2vec format; which ones: --export-vectors) to FILE
        --format F           text (default) or binary (word2vec C binary)
        --json               print one JSON summary line on stdout (progress goes to stderr)
        --checkpoint FILE    save the complete learner state at the end (resume with --resume)
        --resume FILE        start from a checkpoint instead of a fresh model (its config wins)
        --max-tokens N       stop after N tokens
        --baseline B         none (default) or ngram: also run an interpolated Kneser-Ney n-gram
                             model on the same stream, scored on the same tokens (score, then
                             count), for reference; adds ngram_perplexity to the summary and,
                             with the mixture, served_vs_baseline: ppl(served) / ppl(baseline)
                             paired on the same tokens, with a block-bootstrap 95% interval
                             (served_vs_baseline_low/_high, _tokens, _block). Costs
                             speed and memory (50-100 bytes per distinct n-gram); with --resume it
                             starts empty, so it covers only this run's scored tokens
        --ngram-order N      order of the --baseline ngram model (default 3)
        --curve FILE         write a learning curve to FILE: one JSON line every --curve-every
                             tokens and at the end: {tokens, seconds, tokens_per_sec, perplexity,
                             window_perplexity, ngram_perplexity, ngram_window_perplexity,
                             served_perplexity, served_window_perplexity, vocab_size}
                             (ngram_* null without --baseline ngram, served_* without the
                             mixture: --mixture-order 0 or --encoder cbow)
        --curve-every N      tokens between curve points (default 100000)
        --threads N          1 (default): everything on one thread. N >= 2: reading runs on its
                             own thread, tokenizing on N-1 more and the --baseline ngram model on
                             one more; learning runs on two: the model's steps (forward, loss,
                             backward) and the exact evaluations (scored in stream order, between
                             the steps of the tokens before and after) on their own thread,
                             pipelined behind counting, subsampling, drawing negatives and the
                             mixture's n-gram counts on the main thread (loss=ns without
                             adagrad-half-life, batch 1). Nothing is reordered, so model, scores
                             and baseline are bit-identical to --threads 1 (deterministic);
                             learning is not split further for N > 2
        --quiet              no progress line
        --set KEY=VALUE      set a model key (same as --KEY VALUE)
      model keys (--KEY VALUE):
      """;

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("train: " + e.getMessage());
      err.println("run './streamvec train --help' for the options");
      return 2;
    }
    if (o.help) {
      out.print(usage());
      return 0;
    }
    try {
      return train(o, out, err);
    } catch (NoSuchFileException e) {
      err.println("train: no such file: " + e.getFile());
      return 1;
    } catch (IOException e) {
      err.println("train: " + e.getMessage());
      return 1;
    }
  }

  static String usage() {
    StringBuilder b = new StringBuilder(USAGE);
    for (ModelConfig.Key k : ModelConfig.KEYS)
      b.append(
          String.format(
              Locale.ROOT, "  --%-18s %s (default %s)%n", k.name(), k.doc(), k.defaultValue()));
    return b.toString();
  }

  static int train(Options o, PrintStream out, PrintStream err) throws IOException {
    Learner learner;
    if (o.resume != null) {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(o.resume), 1 << 16)) {
        learner = LearnerState.readCheckpoint(in);
      }
    } else {
      learner = new Learner(o.config);
    }
    learner.trackDirtyRows(false); // nothing here stores rows incrementally
    learner.setThreads(Math.min(o.threads, 2)); // same bits on any number
    ModelConfig c = learner.config();
    if (o.threads >= 2 && learner.threads() == 1)
      err.println(
          "train: note: this model learns on one thread (the model's steps get a thread of their"
              + " own only with loss=ns, no adagrad-half-life and batch 1); reading and tokenizing"
              + " still run on their own threads");
    long size = "-".equals(o.input) ? -1 : Files.size(Path.of(o.input));
    TextSource src =
        "-".equals(o.input)
            ? new TextSource(System.in, c.maxLineChars)
            : new TextSource(
                Path.of(o.input),
                c.maxLineChars); // a missing file or bad gzip fails before any thread starts
    PrequentialNgram ngram =
        o.ngramOrder > 0 ? new PrequentialNgram(o.ngramOrder, c.evalWindow) : null;
    // with a second thread the baseline runs beside the learner; drained before each read
    ObserverThread baselineThread =
        ngram != null && o.threads >= 2 ? new ObserverThread(ngram) : null;
    if (ngram != null) learner.setObserver(baselineThread != null ? baselineThread : ngram);
    // served vs the baseline token by token: both log every scored token's bits, in stream order
    BitsLog servedBits = null, baselineBits = null;
    if (ngram != null && learner.mixture() != null) {
      servedBits = new BitsLog();
      baselineBits = new BitsLog();
      learner.mixture().logServedBits(servedBits);
      ngram.logBits(baselineBits);
    }
    Runnable syncBaseline =
        () -> {
          if (baselineThread != null) baselineThread.drain();
        };
    Progress progress = new Progress(err, !o.quiet, size);
    long startTokens = learner.tokens();
    long t0 = System.nanoTime();
    long records = 0;
    try (ObserverThread closeBaseline = baselineThread;
        TokenizedRecords input = TokenizedRecords.open(src, c.maxLineChars, o.threads);
        LearningCurve curve =
            o.curve == null ? null : new LearningCurve(Path.of(o.curve), o.curveEvery)) {
      List<String> tokens;
      while ((tokens = input.next()) != null) {
        learner.learn(tokens);
        records++;
        long n = learner.tokens() - startTokens;
        if (curve != null && curve.due(n)) {
          syncBaseline.run();
          curve.write(learner, ngram, n, System.nanoTime() - t0);
        }
        if ((records & 255) == 0)
          progress.update(learner, input.bytesRead(), System.nanoTime() - t0, startTokens);
        if (o.maxTokens > 0 && learner.tokens() - startTokens >= o.maxTokens) break;
      }
      syncBaseline.run();
      learner.drain();
      long n = learner.tokens() - startTokens;
      if (curve != null && curve.endPending(n))
        curve.write(learner, ngram, n, System.nanoTime() - t0);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    learner.setThreads(1);
    progress.done();
    ModelSnapshot snap = learner.snapshot(0);
    if (o.output != null) {
      try (OutputStream os =
          new BufferedOutputStream(Files.newOutputStream(Path.of(o.output)), 1 << 16)) {
        if (o.binary) Word2VecFormat.writeBinary(snap, os);
        else Word2VecFormat.writeText(snap, os);
      }
    }
    if (o.checkpoint != null) {
      try (OutputStream os =
          new BufferedOutputStream(Files.newOutputStream(Path.of(o.checkpoint)), 1 << 16)) {
        LearnerState.writeCheckpoint(learner, os);
      }
    }
    long n = learner.tokens() - startTokens;
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("input", o.input);
    summary.put("records", records);
    summary.put("seconds", seconds);
    summary.put("tokens_per_sec", n / Math.max(seconds, 1e-9));
    summary.put("threads", o.threads);
    summary.putAll(learner.stats());
    summary.put("tokens", n);
    if (ngram != null) {
      summary.put("ngram_order", ngram.order());
      summary.put("ngram_scored_tokens", ngram.scored());
      summary.put("ngram_cross_entropy_bits", ngram.crossEntropyBits());
      summary.put("ngram_perplexity", ngram.perplexity());
      summary.put("ngram_perplexity_low", ngram.perplexityBound(-1));
      summary.put("ngram_perplexity_high", ngram.perplexityBound(1));
      summary.put("ngram_window_perplexity", ngram.windowPerplexity());
      summary.put("ngram_stored", ngram.storedNgrams());
    }
    PairedInterval paired =
        servedBits == null ? null : PairedInterval.of(servedBits, baselineBits, c.seed);
    if (paired != null) {
      summary.put("served_vs_baseline", paired.ratio());
      summary.put("served_vs_baseline_low", paired.low());
      summary.put("served_vs_baseline_high", paired.high());
      summary.put("served_vs_baseline_iid_low", paired.iidLow());
      summary.put("served_vs_baseline_iid_high", paired.iidHigh());
      summary.put("served_vs_baseline_tokens", paired.tokens());
      summary.put("served_vs_baseline_block", paired.block());
      summary.put("served_vs_baseline_lag1", paired.lag1());
    }
    summary.put("encoder", c.get("encoder"));
    summary.put("loss", c.get("loss"));
    summary.put("dim", c.dim);
    summary.put("context", c.context);
    if (o.output != null) summary.put("output", o.output);
    PrintStream human = o.json ? err : out;
    human.printf(
        Locale.ROOT,
        "trained %,d tokens in %.1f s: %,.0f tokens/s (%d thread%s)%n",
        n,
        seconds,
        n / Math.max(seconds, 1e-9),
        o.threads,
        o.threads == 1 ? "" : "s");
    human.printf(
        Locale.ROOT,
        "prequential perplexity %.1f (%.3f bits/token, top-1 %.1f%%, top-5 %.1f%%; last %d scored: %.1f) over %,d scored tokens%n",
        learner.meter().perplexity(),
        learner.meter().crossEntropyBits(),
        100 * learner.meter().top1(),
        100 * learner.meter().top5(),
        learner.meter().windowSize(),
        learner.meter().windowPerplexity(),
        learner.meter().scored());
    if (ngram != null)
      human.printf(
          Locale.ROOT,
          "%d-gram Kneser-Ney baseline on the same %,d scored tokens: perplexity %.1f (%.3f bits/token; last %d: %.1f)%n",
          ngram.order(),
          ngram.scored(),
          ngram.perplexity(),
          ngram.crossEntropyBits(),
          Math.min(ngram.scored(), c.evalWindow),
          ngram.windowPerplexity());
    if (learner.mixture() != null) {
      Map<String, Double> s = learner.stats();
      human.printf(
          Locale.ROOT,
          "served (model + %d-gram mixture) on the same tokens: perplexity %.1f [%.1f, %.1f] (model %.1f [%.1f, %.1f], its n-gram %.1f [%.1f, %.1f]; 95%% intervals)%n",
          learner.mixture().ngram().order(),
          s.get("served_perplexity"),
          s.get("served_perplexity_low"),
          s.get("served_perplexity_high"),
          s.get("served_model_perplexity"),
          s.get("served_model_perplexity_low"),
          s.get("served_model_perplexity_high"),
          s.get("served_ngram_perplexity"),
          s.get("served_ngram_perplexity_low"),
          s.get("served_ngram_perplexity_high"));
    }
    if (paired != null)
      human.printf(
          Locale.ROOT,
          "served / %d-gram baseline, paired on the same %,d tokens: %.3f [%.3f, %.3f] (95%%, block bootstrap, blocks of %d scored tokens; independent-token interval [%.3f, %.3f], lag-1 autocorrelation %.2f)%n",
          ngram.order(),
          paired.tokens(),
          paired.ratio(),
          paired.low(),
          paired.high(),
          paired.block(),
          paired.iidLow(),
          paired.iidHigh(),
          paired.lag1());
    human.printf(
        Locale.ROOT,
        "vocabulary %,d words (capacity %,d; %,d admitted, %,d evicted)%n",
        learner.vocabulary().size(),
        c.vocabSize,
        learner.vocabulary().admissions(),
        learner.vocabulary().evictions());
    if (o.output != null)
      human.println("wrote " + (o.binary ? "binary" : "text") + " word2vec vectors to " + o.output);
    if (o.json) out.println(Json.object(summary));
    return 0;
  }

  /** Parsed command line. */
  static final class Options {
    String input, output, checkpoint, curve;
    long curveEvery = 100_000;
    int threads = 1;
    Path resume;
    boolean json, binary, quiet, help;
    long maxTokens;
    int ngramOrder; // 0 = no baseline
    String baseline = "none";
    int requestedOrder = 3;
    ModelConfig config = ModelConfig.defaults();

    static Options parse(String[] args) {
      Options o = new Options();
      Map<String, String> keys = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "-h", "--help" -> o.help = true;
          case "--json" -> o.json = true;
          case "--quiet" -> o.quiet = true;
          case "--input" -> o.input = value(args, ++i, a);
          case "--output" -> o.output = value(args, ++i, a);
          case "--checkpoint" -> o.checkpoint = value(args, ++i, a);
          case "--resume" -> o.resume = Path.of(value(args, ++i, a));
          case "--max-tokens" -> o.maxTokens = Long.parseLong(value(args, ++i, a));
          case "--baseline" -> {
            o.baseline = value(args, ++i, a);
            if (!o.baseline.equals("none") && !o.baseline.equals("ngram"))
              throw new IllegalArgumentException(
                  "--baseline must be none or ngram, not '" + o.baseline + "'");
          }
          case "--ngram-order" -> o.requestedOrder = intArg(value(args, ++i, a), a, 1, 10);
          case "--curve" -> o.curve = value(args, ++i, a);
          case "--curve-every" ->
              o.curveEvery = intArg(value(args, ++i, a), a, 1, Integer.MAX_VALUE);
          case "--threads" -> o.threads = intArg(value(args, ++i, a), a, 1, 64);
          case "--format" -> {
            String f = value(args, ++i, a);
            if (!f.equals("text") && !f.equals("binary"))
              throw new IllegalArgumentException(
                  "--format must be text or binary, not '" + f + "'");
            o.binary = f.equals("binary");
          }
          case "--set" -> {
            String kv = value(args, ++i, a);
            int eq = kv.indexOf('=');
            if (eq <= 0)
              throw new IllegalArgumentException("--set takes KEY=VALUE, got '" + kv + "'");
            keys.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
          default -> {
            String k = a.startsWith("--") ? a.substring(2) : null;
            if (k != null && k.contains("=")) {
              keys.put(k.substring(0, k.indexOf('=')), k.substring(k.indexOf('=') + 1));
            } else if (k != null && ModelConfig.isKey(k)) keys.put(k, value(args, ++i, a));
            else throw new IllegalArgumentException("unknown option '" + a + "'");
          }
        }
      }
      o.config = ModelConfig.defaults().withAll(keys);
      o.ngramOrder = o.baseline.equals("ngram") ? o.requestedOrder : 0;
      if (!o.help && o.input == null)
        throw new IllegalArgumentException("--input FILE is required (use - for stdin)");
      return o;
    }

    static int intArg(String s, String flag, int lo, int hi) {
      try {
        int v = Integer.parseInt(s.trim());
        if (v >= lo && v <= hi) return v;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          flag + " must be a whole number in [" + lo + ", " + hi + "], not '" + s + "'");
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
      return args[i];
    }
  }
}
