package io.streamvec.app;

import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.text.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Corpora and the reference (uninterrupted, offline) learner the app's models are compared with.
 */
public final class TestTexts {
  private TestTexts() {}

  /**
   * A model small enough for fast tests, with evictions possible (vocab-size below the word types
   * of generated()).
   */
  public static Map<String, String> smallModel() {
    return Map.of(
        "dim",
        "16",
        "context",
        "3",
        "vocab-size",
        "300",
        "min-count",
        "2",
        "candidates",
        "1000",
        "noise-refresh",
        "2000",
        "eval-window",
        "200",
        "seed",
        "7");
  }

  /**
   * The lines of a test resource, e.g. "corpus/animals.txt" (a few hundred template sentences about
   * animals, colours, numbers).
   */
  public static List<String> resourceLines(String name) {
    try (InputStream in = TestTexts.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("test resource " + name + " is missing");
      List<String> lines = new ArrayList<>();
      for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
        if (!l.isBlank()) lines.add(l);
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An uninterrupted offline run: the model's own tokenizer and learner over texts, in order. */
  public static Learner reference(ModelConfig config, List<String> texts) {
    Learner l = new Learner(config);
    Tokenizer tokenizer = new Tokenizer(config.maxLineChars);
    List<String> tokens = new ArrayList<>();
    for (String t : texts) {
      tokenizer.tokenize(t, tokens);
      l.learn(tokens);
    }
    return l;
  }

  public static long tokenCount(ModelConfig config, List<String> texts) {
    Tokenizer tokenizer = new Tokenizer(config.maxLineChars);
    long n = 0;
    for (String t : texts) n += tokenizer.tokenize(t).size();
    return n;
  }

  /** Deletes a directory tree (test state dirs); missing is fine. */
  public static void deleteTree(java.nio.file.Path dir) throws IOException {
    if (!java.nio.file.Files.exists(dir)) return;
    try (var paths = java.nio.file.Files.walk(dir)) {
      for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
        java.nio.file.Files.deleteIfExists(p);
    }
  }

  private static final String[][] WORDS = {
    {"tiger", "lion", "leopard", "wolf", "bear", "jaguar", "fox", "lynx", "panther", "cougar"},
    {"deer", "rabbit", "goat", "zebra", "antelope", "sheep", "mouse", "boar"},
    {"forest", "jungle", "valley", "savanna", "mountains", "hills", "desert", "marsh"},
    {"blue", "red", "green", "yellow", "purple", "orange", "pink", "brown", "grey", "white"},
    {"car", "door", "house", "bicycle", "boat", "fence", "kite", "dress", "wall", "roof"},
    {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve"},
    {"apples", "oranges", "pears", "plums", "lemons", "peaches", "figs", "cherries"}
  };
  private static final String[] TEMPLATES = {
    "The %0 hunted the %1 in the %2 at night.", "A hungry %0 chased a %1 across the %2!",
    "She painted the %4 %3 and the %4 %3.", "We counted %5 %6 and %5 boats near the %2.",
    "His %3 %4 stood in the %2, where %5 %1 were grazing.", "Did the %0 really eat %5 %6?",
    "In %5 years the %0 of the %2 grew old; its fur turned %3."
  };

  /**
   * Deterministic template text with at least minTokens tokens (seeded; about 11 tokens a line).
   */
  public static List<String> generated(long minTokens, long seed) {
    Random r = new Random(seed);
    List<String> lines = new ArrayList<>();
    Tokenizer tokenizer = new Tokenizer(10_000);
    long tokens = 0;
    while (tokens < minTokens) {
      String t = TEMPLATES[r.nextInt(TEMPLATES.length)];
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c == '%') {
          String[] cls = WORDS[t.charAt(++i) - '0'];
          b.append(cls[r.nextInt(cls.length)]);
        } else b.append(c);
      }
      // a rare made-up word now and then: candidates, admissions and evictions get exercised
      if (r.nextInt(20) == 0) b.append(" Word").append(r.nextInt(400)).append(" said so.");
      String line = b.toString();
      tokens += tokenizer.tokenize(line).size();
      lines.add(line);
    }
    return lines;
  }
}
