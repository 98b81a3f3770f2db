package io.streamvec.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded stand-in for English text: word ranks drawn from a Zipf law (p(r) ~ 1/r^s, s = 1.05, as in
 * natural text), words of letters only, sentences of 5-30 words. The benchmarks need a steady state
 * like a real corpus (a few thousand frequent words, a long tail near min-count, 1 in ~15 tokens a
 * sentence end) without reading a file, so every run sees the same stream.
 */
final class ZipfText {
  private final String[] words; // rank -> word; the same String instances every draw
  private final double[] cumulative;
  private final SplittableRandom rng;

  ZipfText(int types, long seed) {
    rng = new SplittableRandom(seed);
    words = new String[types];
    cumulative = new double[types];
    double sum = 0;
    for (int r = 0; r < types; r++) {
      words[r] = wordFor(r);
      sum += 1.0 / Math.pow(r + 1, 1.05);
      cumulative[r] = sum;
    }
    for (int r = 0; r < types; r++) cumulative[r] /= sum;
  }

  /** A distinct lowercase word per rank (base-26 letters, short for frequent ranks). */
  private static String wordFor(int rank) {
    StringBuilder b = new StringBuilder();
    int x = rank;
    do {
      b.append((char) ('a' + x % 26));
      x /= 26;
    } while (x > 0);
    return b.append(rank % 7 == 0 ? "s" : "").toString();
  }

  String nextWord() {
    double u = rng.nextDouble();
    int lo = 0, hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return words[lo];
  }

  /** n tokens as the tokenizer would emit them: words with "</s>" after every sentence. */
  String[] tokens(int n) {
    String[] out = new String[n];
    int left = 0;
    for (int i = 0; i < n; i++) {
      if (left == 0) left = 5 + rng.nextInt(26);
      out[i] = --left == 0 ? "</s>" : nextWord();
    }
    return out;
  }

  /**
   * Raw lines (capitalised sentences ending in '.', some commas) totalling exactly `tokens` tokens
   * after tokenization: each sentence of k words gives k + 1 tokens (its words and "</s>").
   */
  List<String> lines(int tokens) {
    List<String> lines = new ArrayList<>();
    int left = tokens;
    while (left > 0) {
      int k = Math.min(5 + rng.nextInt(26), left - 1);
      if (left - (k + 1) == 1) k--; // a 1-token remainder cannot be a sentence
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < k; i++) {
        String w = nextWord();
        if (i == 0) b.append(Character.toUpperCase(w.charAt(0))).append(w, 1, w.length());
        else b.append(' ').append(w);
        if (i > 0 && i < k - 1 && rng.nextInt(8) == 0) b.append(',');
      }
      lines.add(b.append('.').toString());
      left -= k + 1;
    }
    return lines;
  }
}
