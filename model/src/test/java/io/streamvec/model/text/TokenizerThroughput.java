package io.streamvec.model.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Measures tokenizer throughput on a text file (not a unit test; nothing here is asserted).
 *
 * <p>How to run, from the repo root:
 *
 * <pre>
 * mvn -q -o test-compile -pl model
 * java -cp model/target/classes:model/target/test-classes io.streamvec.model.text.TokenizerThroughput \
 *     ../shared/data/corpus/austen.txt.gz
 * </pre>
 *
 * Prints tokens/s for the text fed line by line and paragraph by paragraph (blank-line separated).
 */
public final class TokenizerThroughput {
  private TokenizerThroughput() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args.length > 0 ? args[0] : "../shared/data/corpus/austen.txt.gz");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<String> lines = readLines(file);
    List<String> paragraphs = paragraphs(lines);
    for (int round = 1; round <= rounds; round++) {
      report("lines     ", round, lines);
      report("paragraphs", round, paragraphs);
    }
  }

  /** Reads a text file, gunzipping it if its name ends in .gz. */
  public static List<String> readLines(Path file) throws IOException {
    var in = Files.newInputStream(file);
    var decoded = file.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(decoded, StandardCharsets.UTF_8))) {
      List<String> lines = new ArrayList<>();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(line);
      }
      return lines;
    }
  }

  /**
   * Joins runs of non-blank lines with spaces: hard-wrapped books become one text per paragraph.
   */
  public static List<String> paragraphs(List<String> lines) {
    List<String> paragraphs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      if (line.isBlank()) {
        if (current.length() > 0) {
          paragraphs.add(current.toString());
          current.setLength(0);
        }
      } else {
        current.append(current.length() > 0 ? " " : "").append(line);
      }
    }
    if (current.length() > 0) {
      paragraphs.add(current.toString());
    }
    return paragraphs;
  }

  private static void report(String label, int round, List<String> texts) {
    Tokenizer tokenizer = new Tokenizer(1_000_000);
    List<String> tokens = new ArrayList<>();
    long count = 0;
    long chars = 0;
    long t0 = System.nanoTime();
    for (String text : texts) {
      tokenizer.tokenize(text, tokens);
      count += tokens.size();
      chars += text.length();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "round %d %s: %,d tokens in %.3f s = %,.0f tokens/s (%.1f MB chars/s)%n",
        round, label, count, seconds, count / seconds, chars / seconds / 1e6);
  }
}
