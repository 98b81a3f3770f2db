package io.streamvec.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.io.Word2VecFormat;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int code =
        TrainCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void trainsOnGzipWritesVectorsAndAJsonSummaryAndResumes() throws Exception {
    Path corpus = dir.resolve("c.txt.gz");
    try (OutputStream z = new GZIPOutputStream(Files.newOutputStream(corpus))) {
      for (int i = 0; i < 400; i++)
        z.write(
            ("the cat sat on the mat . the dog sat on the log " + (i % 7) + " .\n")
                .getBytes(StandardCharsets.UTF_8));
    }
    Path vec = dir.resolve("v.txt"), ckpt = dir.resolve("m.ckpt");
    Result r =
        run(
            "--input",
            corpus.toString(),
            "--dim",
            "16",
            "--min-count",
            "2",
            "--output",
            vec.toString(),
            "--json",
            "--quiet",
            "--checkpoint",
            ckpt.toString());
    assertEquals(0, r.code(), r.err());
    String json = r.out().strip();
    assertTrue(
        json.startsWith("{")
            && json.contains("\"tokens\":")
            && json.contains("\"perplexity\":")
            && json.contains("\"vocab_size\":"),
        json);
    assertTrue(r.err().contains("tokens/s"), r.err());
    Word2VecFormat.Vectors v;
    try (InputStream in = Files.newInputStream(vec)) {
      v = Word2VecFormat.readText(in);
    }
    assertEquals(16, v.vectors().numCols);
    java.util.List<String> words = java.util.Arrays.asList(v.words());
    assertTrue(words.contains("cat") && words.contains("<num>"), "vocabulary " + words);

    // resumed on a second part, the model is the one trained on both parts without a stop
    Path more = dir.resolve("more.txt");
    StringBuilder second = new StringBuilder();
    for (int i = 0; i < 300; i++)
      second
          .append("a dog and a cat sat on the ")
          .append(i % 2 == 0 ? "mat" : "log")
          .append(" .\n");
    Files.writeString(more, second);
    Path resumedVec = dir.resolve("resumed.txt");
    Result resumed =
        run(
            "--resume",
            ckpt.toString(),
            "--input",
            more.toString(),
            "--output",
            resumedVec.toString(),
            "--json",
            "--quiet");
    assertEquals(0, resumed.code(), resumed.err());
    Path both = dir.resolve("both.txt");
    try (InputStream first = new GZIPInputStream(Files.newInputStream(corpus))) {
      Files.write(both, first.readAllBytes());
    }
    Files.writeString(both, second, StandardOpenOption.APPEND);
    Path uninterruptedVec = dir.resolve("uninterrupted.txt");
    Result uninterrupted =
        run(
            "--input",
            both.toString(),
            "--dim",
            "16",
            "--min-count",
            "2",
            "--output",
            uninterruptedVec.toString(),
            "--json",
            "--quiet");
    assertEquals(0, uninterrupted.code(), uninterrupted.err());
    assertEquals(
        Files.readString(uninterruptedVec),
        Files.readString(resumedVec),
        "resuming gives the vectors of an uninterrupted run on both parts");
    assertEquals(
        Long.parseLong(jsonNumber(uninterrupted.out(), "tokens")),
        Long.parseLong(jsonNumber(r.out(), "tokens"))
            + Long.parseLong(jsonNumber(resumed.out(), "tokens")),
        "each run reports the tokens it read: the two parts add up to the whole");
    assertEquals(
        jsonNumber(uninterrupted.out(), "vocab_size"), jsonNumber(resumed.out(), "vocab_size"));
  }

  /** The value of a number field in a one-line JSON summary. */
  private static String jsonNumber(String json, String field) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"" + field + "\":([-0-9.eE]+)").matcher(json);
    assertTrue(m.find(), field + " in " + json);
    return m.group(1);
  }

  @Test
  void everyOptionsDescriptionStartsInTheSameColumn() {
    // the hand-written options put their text at column 23; the model keys must line up with
    // them, with at least two spaces after the longest key (adagrad-half-life)
    int options = 0;
    for (String line : TrainCommand.usage().split("\n")) {
      if (!line.startsWith("  --")) continue;
      options++;
      assertEquals("  ", line.substring(21, 23), line);
      assertTrue(line.charAt(23) != ' ', line);
    }
    assertTrue(options > 30, options + " options");
  }

  @Test
  void badArgumentsAndMissingFilesGiveClearErrors() {
    Result noInput = run("--dim", "10");
    assertEquals(2, noInput.code());
    assertTrue(noInput.err().contains("--input"), noInput.err());
    Result badKey = run("--input", "x", "--dim", "zero");
    assertEquals(2, badKey.code());
    assertTrue(badKey.err().contains("'dim'"), badKey.err());
    Result missing = run("--input", dir.resolve("nope.txt").toString());
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("nope.txt"), missing.err());
  }

  @Test
  void threadsTwoSaysWhenTheModelLearnsOnOneThread() throws Exception {
    Path corpus = dir.resolve("t.txt");
    Files.writeString(corpus, "the cat sat on the mat . the dog sat on the log .\n".repeat(50));
    String note = "this model learns on one thread";
    String[] common = {"--input", corpus.toString(), "--dim", "8", "--min-count", "1", "--quiet"};
    Result two = run(concat(common, "--threads", "2"));
    assertEquals(0, two.code(), two.err());
    assertTrue(!two.err().contains(note), two.err());
    for (String[] model :
        new String[][] {{"--batch", "4"}, {"--loss", "softmax"}, {"--adagrad-half-life", "1000"}}) {
      Result r = run(concat(concat(common, "--threads", "2"), model));
      assertEquals(0, r.code(), r.err());
      assertTrue(r.err().contains(note), String.join(" ", model) + ": " + r.err());
    }
    Result one = run(concat(common, "--batch", "4"));
    assertTrue(!one.err().contains(note), one.err());
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
