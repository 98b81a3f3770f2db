package io.streamvec.model.vocab;

import io.streamvec.model.text.Tokenizer;
import io.streamvec.model.text.TokenizerThroughput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures {@link StreamingVocabulary#observe} throughput on a tokenized text file (not a unit
 * test).
 *
 * <p>How to run, from the repo root:
 *
 * <pre>
 * mvn -q -o test-compile -pl model
 * java -cp model/target/classes:model/target/test-classes io.streamvec.model.vocab.VocabularyThroughput \
 *     ../shared/data/corpus/austen.txt.gz
 * </pre>
 *
 * The text is tokenized once up front (paragraph by paragraph), so the timing is the vocabulary
 * alone; a roomy and a small (churning) configuration are measured.
 */
public final class VocabularyThroughput {
  private VocabularyThroughput() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args.length > 0 ? args[0] : "../shared/data/corpus/austen.txt.gz");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Tokenizer tokenizer = new Tokenizer(1_000_000);
    List<String> paragraphs = TokenizerThroughput.paragraphs(TokenizerThroughput.readLines(file));
    List<String> tokens = new ArrayList<>();
    for (String paragraph : paragraphs) {
      tokens.addAll(tokenizer.tokenize(paragraph));
    }
    for (int round = 1; round <= rounds; round++) {
      run(
          "roomy    (V=30000, min 5, half-life 1e7, C=100000)",
          round,
          fresh(tokens),
          new StreamingVocabulary(30_000, 5, 1e7, 100_000));
      run(
          "churning (V=2000, min 2, half-life 1e5, C=10000)  ",
          round,
          fresh(tokens),
          new StreamingVocabulary(2_000, 2, 1e5, 10_000));
      pipeline(round, paragraphs, tokenizer, new StreamingVocabulary(30_000, 5, 1e7, 100_000));
    }
  }

  /** New String objects, as the tokenizer would produce: their hash codes are not cached yet. */
  private static String[] fresh(List<String> tokens) {
    String[] copy = new String[tokens.size()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = new String(tokens.get(i).toCharArray());
    }
    return copy;
  }

  private static void pipeline(
      int round, List<String> paragraphs, Tokenizer tokenizer, StreamingVocabulary v) {
    List<String> tokens = new ArrayList<>();
    long count = 0;
    long t0 = System.nanoTime();
    for (String paragraph : paragraphs) {
      tokenizer.tokenize(paragraph, tokens);
      for (String token : tokens) {
        v.observe(token);
      }
      count += tokens.size();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "round %d tokenize+observe (roomy): %,.0f tokens/s%n", round, count / seconds);
  }

  private static void run(String label, int round, String[] stream, StreamingVocabulary v) {
    long unk = 0;
    long t0 = System.nanoTime();
    for (String token : stream) {
      if (v.observe(token) == StreamingVocabulary.UNK) {
        unk++;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "round %d %s: %,.0f tokens/s; size %d, admissions %d, evictions %d, unk %.1f%%%n",
        round,
        label,
        stream.length / seconds,
        v.size(),
        v.admissions(),
        v.evictions(),
        100.0 * unk / stream.length);
  }
}
