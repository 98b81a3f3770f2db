package io.streamvec.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.Rng;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train's --baseline ngram, --curve and --threads, end to end through the command. */
class TrainCurveThreadsTest {
  @TempDir Path dir;
  Path corpus;

  /** Sentences from a seeded first-order grammar over 40 words, 8 words a line. */
  @BeforeEach
  void writeCorpus() throws Exception {
    Rng rng = new Rng(3);
    StringBuilder b = new StringBuilder();
    int state = 0;
    for (int line = 0; line < 5_000; line++) {
      for (int i = 0; i < 8; i++) {
        double u = rng.nextDouble();
        state = (state * 7 + (u < 0.6 ? 0 : u < 0.9 ? 5 : 11) + 1) % 40;
        b.append("w")
            .append((char) ('a' + state / 26))
            .append((char) ('a' + state % 26))
            .append(' ');
      }
      b.append(".\n");
    }
    corpus = dir.resolve("grammar.txt");
    Files.writeString(corpus, b, StandardCharsets.UTF_8);
  }

  static double number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":([^,}]+)").matcher(json);
    assertTrue(m.find(), key + " in " + json);
    return m.group(1).equals("null") ? Double.NaN : Double.parseDouble(m.group(1));
  }

  @Test
  void baselineAndCurveReportTheSameScoredTokens() throws Exception {
    Path curve = dir.resolve("curve.jsonl");
    var r =
        TrainCommandTest.run(
            "--input",
            corpus.toString(),
            "--dim",
            "16",
            "--eval-every",
            "5",
            "--baseline",
            "ngram",
            "--curve",
            curve.toString(),
            "--curve-every",
            "10000",
            "--json",
            "--quiet");
    assertEquals(0, r.code(), r.err());
    String json = r.out().strip();
    assertEquals(3, number(json, "ngram_order"));
    assertEquals(number(json, "scored_tokens"), number(json, "ngram_scored_tokens"));
    double model = number(json, "perplexity"), ngram = number(json, "ngram_perplexity");
    // the grammar has 3 successors per word (entropy 1.3 bits, perplexity 2.5) and a "." every 8
    // words
    assertTrue(ngram > 2 && ngram < 6, "ngram perplexity " + ngram);
    assertTrue(model > 2 && model < 40, "model perplexity " + model);
    List<String> lines = Files.readAllLines(curve);
    long tokens = (long) number(json, "tokens");
    assertEquals(
        tokens / 10_000 + (tokens % 10_000 == 0 ? 0 : 1),
        lines.size(),
        "a point per 10000 tokens and one at the end");
    List<Double> at = new ArrayList<>();
    for (String line : lines) {
      for (String k :
          new String[] {
            "seconds",
            "tokens_per_sec",
            "perplexity",
            "window_perplexity",
            "ngram_perplexity",
            "ngram_window_perplexity",
            "vocab_size"
          }) {
        assertTrue(Double.isFinite(number(line, k)), k + " in " + line);
      }
      at.add(number(line, "tokens"));
    }
    for (int i = 0; i < at.size() - 1; i++)
      assertTrue(
          at.get(i) >= 10_000 * (i + 1) && at.get(i) < 10_000 * (i + 1) + 10,
          "point " + i + " at " + at.get(i));
    String last = lines.get(lines.size() - 1);
    assertEquals(tokens, number(last, "tokens"));
    assertEquals(ngram, number(last, "ngram_perplexity"), 1e-4 * ngram);
    assertEquals(model, number(last, "perplexity"), 1e-4 * model);
  }

  @Test
  void aCurveWithoutBaselineHasNullNgramFields() throws Exception {
    Path curve = dir.resolve("c.jsonl");
    var r =
        TrainCommandTest.run(
            "--input", corpus.toString(), "--dim", "8", "--curve", curve.toString(), "--quiet");
    assertEquals(0, r.code(), r.err());
    String last = Files.readAllLines(curve).get(0);
    assertTrue(
        last.contains("\"ngram_perplexity\":null")
            && last.contains("\"ngram_window_perplexity\":null"),
        last);
  }

  @Test
  void twoOrThreeThreadsTrainTheSameModelAsOne() throws Exception {
    String one = null;
    for (String threads : new String[] {"1", "2", "3"}) {
      Path vec = dir.resolve("v" + threads + ".txt");
      var r =
          TrainCommandTest.run(
              "--input",
              corpus.toString(),
              "--dim",
              "16",
              "--eval-every",
              "7",
              "--threads",
              threads,
              "--output",
              vec.toString(),
              "--json",
              "--quiet");
      assertEquals(0, r.code(), r.err());
      assertEquals(Integer.parseInt(threads), (int) number(r.out(), "threads"));
      double ppl = number(r.out(), "perplexity");
      assertTrue(Double.isFinite(ppl) && ppl < 40, "perplexity " + ppl);
      String vectors = Files.readString(vec);
      if (one == null) one = vectors;
      else
        assertEquals(
            one, vectors, "--threads " + threads + " must give the vectors of --threads 1");
    }
  }

  @Test
  void theBaselineOnItsOwnThreadGivesTheSameNumbersAndCurve() throws Exception {
    String[] curves = new String[2];
    double[] ngram = new double[2];
    for (int t = 1; t <= 2; t++) {
      Path curve = dir.resolve("curve" + t + ".jsonl");
      var r =
          TrainCommandTest.run(
              "--input",
              corpus.toString(),
              "--dim",
              "8",
              "--eval-every",
              "3",
              "--baseline",
              "ngram",
              "--threads",
              "" + t,
              "--curve",
              curve.toString(),
              "--curve-every",
              "5000",
              "--json",
              "--quiet");
      assertEquals(0, r.code(), r.err());
      ngram[t - 1] = number(r.out(), "ngram_perplexity");
      // drop the timing fields, keep the numbers that must match
      curves[t - 1] = Files.readString(curve).replaceAll("\"(seconds|tokens_per_sec)\":[^,]*,", "");
    }
    assertTrue(Double.isFinite(ngram[0]));
    assertEquals(ngram[0], ngram[1]);
    assertEquals(curves[0], curves[1]);
  }

  @Test
  void threadsStopAtMaxTokensAndBadValuesGiveClearErrors() {
    var r =
        TrainCommandTest.run(
            "--input",
            corpus.toString(),
            "--dim",
            "8",
            "--threads",
            "2",
            "--max-tokens",
            "1000",
            "--json",
            "--quiet");
    assertEquals(0, r.code(), r.err());
    double tokens = number(r.out(), "tokens");
    assertTrue(tokens >= 1000 && tokens < 1020, "tokens " + tokens);
    for (String[] bad :
        new String[][] {
          {"--threads", "0"},
          {"--threads", "two"},
          {"--curve-every", "0"},
          {"--baseline", "lstm"},
          {"--ngram-order", "0"}
        }) {
      var e = TrainCommandTest.run("--input", corpus.toString(), bad[0], bad[1]);
      assertEquals(2, e.code(), String.join(" ", bad));
      assertTrue(e.err().contains(bad[0]) && e.err().contains(bad[1]), e.err());
    }
    var missing =
        TrainCommandTest.run("--input", dir.resolve("nope.txt").toString(), "--threads", "2");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("nope.txt"), missing.err());
  }
}
