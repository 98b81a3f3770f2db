package io.streamvec.producer;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.snapshots.KafkaSnapshotReader;
import io.streamvec.app.snapshots.SnapshotReadException;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.Word2VecFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./streamvec snapshot export|watch|info}: the model as published on the snapshots topic,
 * read straight from Kafka (no app needed), via {@link KafkaSnapshotReader}.
 */
public final class SnapshotCommand {
  static final String NAME = "snapshot";
  static final String USAGE =
      """
      usage: ./streamvec snapshot export --format word2vec|word2vec-bin|json --output FILE|- [--timeout SECONDS]
             ./streamvec snapshot watch [--count N] [--json]
             ./streamvec snapshot info [--json] [--timeout SECONDS]
             ./streamvec snapshot models [--json] [--timeout SECONDS]
        Reads the snapshots topic (snapshots.topic, model model.id or --model) from the beginning.
        export   writes the latest complete snapshot: word2vec = the word2vec C tool's text format
                 (gensim: KeyedVectors.load_word2vec_format(FILE)), word2vec-bin = its binary format
                 (binary=True), json = words, counts, vectors, config and training statistics
        watch    prints the latest snapshot, then each new one as it arrives (version, tokens,
                 vocabulary, perplexity) until Ctrl-C, or until --count N snapshots were printed
        info     prints the latest snapshot's version, size, config and training statistics
        models   lists every model on the topic: name, version, tokens, vocabulary of its latest
      options:
        --model NAME        the model to read (default: model.id)
        --timeout SECONDS   give up reading the topic after this long (default 60)
        --json              one JSON object per snapshot instead of text
      exit codes: 0 done, 1 no snapshot yet or failed, 2 bad usage, 4 Kafka unreachable, 5 topic missing
      """;

  private SnapshotCommand() {}

  public static void main(String[] args) {
    AtomicBoolean stop = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true), "snapshot-shutdown"));
    int code = run(args, System.out, System.err, System.getenv(), stop);
    if (!stop.get()) System.exit(code);
  }

  static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      AtomicBoolean stop) {
    try {
      List<String> rest = new ArrayList<>();
      AppConfig config = Cli.load(args, env, rest);
      Integer help = Cli.helpOrUsage(rest, USAGE, out, err);
      if (help != null) return help;
      String action = rest.get(0);
      String format = null, output = null;
      Duration timeout = Duration.ofSeconds(60);
      boolean json = false;
      int count = Integer.MAX_VALUE;
      for (int i = 1; i < rest.size(); i++) {
        String a = rest.get(i);
        switch (a) {
          case "--format" -> format = Cli.value(rest, i++);
          case "--output", "-o" -> output = Cli.value(rest, i++);
          case "--timeout" ->
              timeout = Duration.ofSeconds(Cli.positiveInt(a, Cli.value(rest, i++), 86_400));
          case "--count" -> count = Cli.positiveInt(a, Cli.value(rest, i++), Integer.MAX_VALUE);
          case "--json" -> json = true;
          case "--model" -> config = config.with(AppKeys.MODEL_ID, Cli.value(rest, i++));
          default ->
              throw new CliFailure(
                  CliFailure.USAGE, "unknown argument '" + a + "' for snapshot " + action);
        }
      }
      switch (action) {
        case "export" -> {
          if (format == null || !List.of("word2vec", "word2vec-bin", "json").contains(format)) {
            throw new CliFailure(
                CliFailure.USAGE,
                "export needs --format word2vec, word2vec-bin or json"
                    + (format == null ? "" : ", got '" + format + "'"));
          }
          if (output == null)
            throw new CliFailure(
                CliFailure.USAGE, "export needs --output FILE (or - for standard output)");
          config = Cli.withBroker(config, env);
          ModelSnapshot s = Cli.latestSnapshot(config, timeout);
          export(s, config.get(AppKeys.MODEL_ID), format, output, out);
          err.printf(
              Locale.ROOT,
              "snapshot: exported version %d (%,d words x %d, %,d tokens) as %s to %s%n",
              s.version,
              s.size(),
              s.wordVectorDim(),
              s.tokens,
              format,
              output.equals("-") ? "standard output" : output);
        }
        case "info" -> {
          config = Cli.withBroker(config, env);
          ModelSnapshot s = Cli.latestSnapshot(config, timeout);
          out.print(
              json
                  ? SnapshotJson.summary(s, config.get(AppKeys.MODEL_ID)) + "\n"
                  : info(s, config));
        }
        case "watch" -> {
          config = Cli.withBroker(config, env);
          watch(config, json, count, out, err, stop);
        }
        case "models" -> {
          config = Cli.withBroker(config, env);
          Map<String, ModelSnapshot> all = Cli.allModels(config, timeout);
          if (all.isEmpty())
            throw new CliFailure(
                CliFailure.FAILED,
                "no complete snapshot on topic '" + config.get(AppKeys.SNAPSHOTS_TOPIC) + "' yet");
          if (json) all.forEach((model, s) -> out.println(SnapshotJson.summary(s, model)));
          else out.print(models(all));
        }
        default ->
            throw new CliFailure(
                CliFailure.USAGE, "unknown action '" + action + "': export, watch, info or models");
      }
      return 0;
    } catch (CliFailure f) {
      return Cli.report(NAME, f, err);
    }
  }

  /**
   * Writes to a temporary file next to the target, then renames: a reader never sees half a file.
   */
  static void export(
      ModelSnapshot s, String modelId, String format, String output, PrintStream stdout)
      throws CliFailure {
    try {
      if (output.equals("-")) {
        write(s, modelId, format, stdout);
        stdout.flush();
        return;
      }
      Path target = Path.of(output).toAbsolutePath();
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      try (OutputStream o = Files.newOutputStream(tmp)) {
        write(s, modelId, format, o);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new CliFailure(CliFailure.FAILED, "cannot write " + output + ": " + e.getMessage(), e);
    }
  }

  private static void write(ModelSnapshot s, String modelId, String format, OutputStream o)
      throws IOException {
    switch (format) {
      case "word2vec" -> Word2VecFormat.writeText(s, o);
      case "word2vec-bin" -> Word2VecFormat.writeBinary(s, o);
      default -> SnapshotJson.writeExport(s, modelId, o);
    }
  }

  private static void watch(
      AppConfig config,
      boolean json,
      int count,
      PrintStream out,
      PrintStream err,
      AtomicBoolean stop)
      throws CliFailure {
    String modelId = config.get(AppKeys.MODEL_ID);
    AtomicInteger printed = new AtomicInteger();
    err.println(
        "snapshot: watching topic '"
            + config.get(AppKeys.SNAPSHOTS_TOPIC)
            + "' on "
            + config.bootstrapServers()
            + " (Ctrl-C to stop)");
    try (KafkaSnapshotReader reader = KafkaSnapshotReader.of(config)) {
      reader.watch(
          s -> {
            out.println(json ? SnapshotJson.summary(s, modelId) : line(s));
            out.flush();
            printed.incrementAndGet();
          },
          () -> !stop.get() && printed.get() < count);
    } catch (SnapshotReadException e) {
      throw Cli.failure(e);
    }
  }

  /** The table that models prints: one line per model. */
  static String models(Map<String, ModelSnapshot> all) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-24s %10s %15s %10s  %s%n",
            "model",
            "version",
            "tokens",
            "words",
            "perplexity"));
    all.forEach(
        (model, s) ->
            b.append(
                String.format(
                    Locale.ROOT,
                    "%-24s %10d %15s %10s  %s%n",
                    model,
                    s.version,
                    String.format(Locale.ROOT, "%,d", s.tokens),
                    String.format(Locale.ROOT, "%,d", s.size()),
                    number(s.stats().get("perplexity"), "%.1f"))));
    return b.toString();
  }

  /** The one-line summary of a snapshot that watch prints. */
  static String line(ModelSnapshot s) {
    Map<String, Double> st = s.stats();
    return String.format(
        Locale.ROOT,
        "%s  version %d  tokens %,d  vocab %,d  perplexity %s (window %s)  top-1 %s",
        LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
        s.version,
        s.tokens,
        s.size(),
        number(st.get("perplexity"), "%.1f"),
        number(st.get("window_perplexity"), "%.1f"),
        percent(st.get("top1")));
  }

  static String info(ModelSnapshot s, AppConfig config) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "snapshot    version %d of model '%s' on topic '%s' (%s)%n",
            s.version,
            config.get(AppKeys.MODEL_ID),
            config.get(AppKeys.SNAPSHOTS_TOPIC),
            config.bootstrapServers()));
    b.append(String.format(Locale.ROOT, "tokens      %,d%n", s.tokens));
    b.append(
        String.format(
            Locale.ROOT,
            "vocabulary  %,d words, %d dimensions; exported vectors %d numbers (export-vectors %s)%n",
            s.size(),
            s.dim(),
            s.wordVectorDim(),
            s.config.exportVectorsName()));
    b.append(
        String.format(
            Locale.ROOT,
            "perplexity  %s (last window %s), top-1 %s, top-5 %s%n",
            number(s.stats().get("perplexity"), "%.1f"),
            number(s.stats().get("window_perplexity"), "%.1f"),
            percent(s.stats().get("top1")),
            percent(s.stats().get("top5"))));
    b.append("config     ");
    s.config.asMap().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    b.append("\nstats      ");
    s.stats().forEach((k, v) -> b.append(' ').append(k).append('=').append(number(v, "%.6g")));
    return b.append('\n').toString();
  }

  private static String number(Double v, String format) {
    return v == null || !Double.isFinite(v)
        ? "n/a"
        : v == Math.rint(v) && Math.abs(v) < 1e15
            ? Long.toString(v.longValue())
            : String.format(Locale.ROOT, format, v);
  }

  private static String percent(Double v) {
    return v == null || !Double.isFinite(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }
}
