package io.streamvec.app;

import io.streamvec.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Text that fills a model to the capacities its keys allow, for measuring memory at a realistic
 * vocabulary: half the words are drawn from vocab-size "common" words (each seen about tokens /
 * vocab-size times, far above min-count, so the vocabulary fills and then evicts), half from 4 x
 * candidates "rare" ones (mostly seen once: the candidate table fills, as a real stream's long tail
 * fills it), all uniformly, so nearly every trigram is new and the n-gram table fills too. Seeded:
 * the same arguments give the same lines.
 */
final class CapacityText {
  private static final int WORDS_PER_LINE = 12;

  private CapacityText() {}

  /** Lines of 12 words and a full stop (13 tokens with the sentence end), minTokens at least. */
  static List<String> lines(ModelConfig config, long minTokens, long seed) {
    Random r = new Random(seed);
    int common = config.vocabSize;
    int rare = 4 * config.candidates;
    List<String> lines = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    for (long tokens = 0; tokens < minTokens; tokens += WORDS_PER_LINE + 1) {
      b.setLength(0);
      for (int w = 0; w < WORDS_PER_LINE; w++) {
        if (w > 0) b.append(' ');
        if (r.nextBoolean()) b.append('c').append(Integer.toString(r.nextInt(common), 36));
        else b.append('r').append(Integer.toString(r.nextInt(rare), 36));
      }
      lines.add(b.append('.').toString());
    }
    return lines;
  }
}
