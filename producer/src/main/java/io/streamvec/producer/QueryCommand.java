package io.streamvec.producer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.UnknownWordException;
import io.streamvec.model.query.WordScore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./streamvec query neighbours|predict|similarity|analogy ...}: questions to the latest
 * snapshot on the topic, answered in this process with {@link EmbeddingQueries} (the same code
 * behind the app's HTTP API), so it works without the app running.
 */
public final class QueryCommand {
  static final String NAME = "query";
  static final String USAGE =
      """
      usage: ./streamvec query neighbours WORD... [--k 10]     nearest words by cosine similarity (one list per WORD)
             ./streamvec query predict "TEXT" [--k 5]          most probable next words after TEXT
             ./streamvec query similarity A B                  cosine similarity of two words
             ./streamvec query analogy A B C [--k 10]          A is to B as C is to ? (3CosAdd)
        Answers from the latest complete snapshot on the snapshots topic (no app or HTTP needed).
        Words are looked up as given, then as the tokenizer writes them ("King" finds "king").
      options:
        --model NAME        the model to ask (default: model.id); ./streamvec snapshot models lists them
        --k N               how many answers (1..1000)
        --json              one JSON object per answer list
        --oneline           each answer list on one line: "title: word (score), word (score), ..."
        --timeout SECONDS   give up reading the topic after this long (default 60)
      exit codes: 0 done, 1 unknown word or no snapshot yet, 2 bad usage, 4 Kafka unreachable, 5 topic missing
      """;

  private QueryCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    try {
      List<String> rest = new ArrayList<>();
      AppConfig config = Cli.load(args, env, rest);
      Integer help = Cli.helpOrUsage(rest, USAGE, out, err);
      if (help != null) return help;
      String action = rest.get(0).equals("neighbors") ? "neighbours" : rest.get(0);
      Integer k = null;
      boolean json = false, oneline = false;
      Duration timeout = Duration.ofSeconds(60);
      List<String> words = new ArrayList<>();
      for (int i = 1; i < rest.size(); i++) {
        String a = rest.get(i);
        switch (a) {
          case "--k", "-k" -> k = Cli.positiveInt(a, Cli.value(rest, i++), EmbeddingQueries.MAX_K);
          case "--json" -> json = true;
          case "--oneline" -> oneline = true;
          case "--model" -> config = config.with(AppKeys.MODEL_ID, Cli.value(rest, i++));
          case "--timeout" ->
              timeout = Duration.ofSeconds(Cli.positiveInt(a, Cli.value(rest, i++), 86_400));
          default -> {
            if (a.startsWith("--")) throw new CliFailure(CliFailure.USAGE, "unknown option " + a);
            words.add(a);
          }
        }
      }
      int expected =
          switch (action) {
            case "neighbours" -> -1;
            case "predict" -> -2;
            case "similarity" -> 2;
            case "analogy" -> 3;
            default ->
                throw new CliFailure(
                    CliFailure.USAGE,
                    "unknown query '" + action + "': neighbours, predict, similarity or analogy");
          };
      if (expected == -1 && words.isEmpty())
        throw new CliFailure(CliFailure.USAGE, "neighbours needs at least one WORD");
      if (expected == -2 && words.isEmpty())
        throw new CliFailure(
            CliFailure.USAGE, "predict needs the context TEXT, e.g. \"i am running a little\"");
      if (expected > 0 && words.size() != expected) {
        throw new CliFailure(
            CliFailure.USAGE, action + " takes " + expected + " words, got " + words.size());
      }
      config = Cli.withBroker(config, env);
      ModelSnapshot snapshot = Cli.latestSnapshot(config, timeout);
      return answer(
          new EmbeddingQueries(snapshot),
          action,
          words,
          k,
          json ? Style.JSON : oneline ? Style.ONELINE : Style.TABLE,
          out,
          err);
    } catch (CliFailure f) {
      return Cli.report(NAME, f, err);
    }
  }

  enum Style {
    TABLE,
    ONELINE,
    JSON
  }

  /**
   * Prints the answers; an unknown word is reported and the other questions still answered (exit
   * 1).
   */
  static int answer(
      EmbeddingQueries q,
      String action,
      List<String> words,
      Integer k,
      Style style,
      PrintStream out,
      PrintStream err) {
    boolean json = style == Style.JSON;
    ModelSnapshot s = q.snapshot();
    String from = String.format(Locale.ROOT, "snapshot %d, %,d tokens", s.version, s.tokens);
    int code = 0;
    try {
      switch (action) {
        case "neighbours" -> {
          for (String w : words) {
            try {
              print(
                  out,
                  style,
                  "neighbours",
                  w,
                  q.neighbours(w, k == null ? 10 : k),
                  "neighbours of '" + w + "'",
                  from);
            } catch (UnknownWordException e) {
              err.println("query: " + e.getMessage());
              code = CliFailure.FAILED;
            }
          }
        }
        case "predict" -> {
          String text = String.join(" ", words);
          print(
              out,
              style,
              "predict",
              text,
              q.predict(text, k == null ? 5 : k),
              "next word after '" + text + "'",
              from);
        }
        case "similarity" -> {
          double sim = q.similarity(words.get(0), words.get(1));
          if (json)
            out.println(
                toJson(
                    Map.of(
                        "query",
                        "similarity",
                        "a",
                        words.get(0),
                        "b",
                        words.get(1),
                        "similarity",
                        sim)));
          else
            out.printf(
                Locale.ROOT,
                "similarity(%s, %s) = %.4f (%s)%n",
                words.get(0),
                words.get(1),
                sim,
                from);
        }
        default ->
            print(
                out,
                style,
                "analogy",
                String.join(" ", words),
                q.analogy(words.get(0), words.get(1), words.get(2), k == null ? 10 : k),
                "'"
                    + words.get(0)
                    + "' is to '"
                    + words.get(1)
                    + "' as '"
                    + words.get(2)
                    + "' is to",
                from);
      }
    } catch (UnknownWordException e) {
      err.println("query: " + e.getMessage());
      return CliFailure.FAILED;
    }
    return code;
  }

  private static void print(
      PrintStream out,
      Style style,
      String query,
      String input,
      List<WordScore> answers,
      String title,
      String from) {
    if (style == Style.JSON) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("query", query);
      m.put("input", input);
      List<Map<String, Object>> list = new ArrayList<>();
      for (WordScore a : answers) list.add(Map.of("word", a.word(), "score", a.score()));
      m.put("answers", list);
      out.println(toJson(m));
      return;
    }
    if (style == Style.ONELINE) {
      StringBuilder b = new StringBuilder(title).append(':');
      for (int i = 0; i < answers.size(); i++)
        b.append(i == 0 ? " " : ", ")
            .append(answers.get(i).word())
            .append(String.format(Locale.ROOT, " (%.2f)", answers.get(i).score()));
      out.println(b);
      return;
    }
    out.println(title + " (" + from + "):");
    for (int i = 0; i < answers.size(); i++)
      out.printf(
          Locale.ROOT, "  %2d. %-20s %.4f%n", i + 1, answers.get(i).word(), answers.get(i).score());
  }

  private static String toJson(Object o) {
    try {
      return new ObjectMapper().writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e); // maps of strings and numbers always serialise
    }
  }
}
