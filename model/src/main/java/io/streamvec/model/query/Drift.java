package io.streamvec.model.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Which words moved between two snapshots of one model. Snapshots of a continuously trained model
 * share one space (no Procrustes alignment needed), so a word's movement is 1 - cos(u_from, u_to)
 * of its unit word vectors. Rare words move by noise alone, so the score is damped by how often the
 * word was seen: score = (1 - cos) * c / (c + damping), c = the smaller of its two decayed counts.
 * Only words kept in both compact snapshots take part.
 */
public final class Drift {
  private Drift() {}

  /** One word's movement: its score, cosine, counts, and its neighbours then and now. */
  public record Mover(
      String word,
      double score,
      double cosine,
      double countFrom,
      double countTo,
      List<WordScore> neighboursFrom,
      List<WordScore> neighboursTo) {}

  /** Damped movement of row a of from to row b of to. */
  public static double score(CompactSnapshot from, int a, CompactSnapshot to, int b, double damp) {
    double c = Math.min(from.count(a), to.count(b));
    return (1 - from.cosine(a, to, b)) * c / (c + damp);
  }

  /**
   * The k words with the highest damped movement from one snapshot to the other, highest first
   * (ties: the more frequent word in to first), each with its n nearest neighbours in both.
   */
  public static List<Mover> top(
      CompactSnapshot from, CompactSnapshot to, int k, double damping, int neighbours) {
    if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
    if (!(damping >= 0)) throw new IllegalArgumentException("damping must be >= 0: " + damping);
    TopK heap = new TopK(k);
    for (int b = 0; b < to.size(); b++) {
      int a = from.row(to.word(b));
      if (a >= 0) heap.offer(b, (float) score(from, a, to, b, damping));
    }
    int n = heap.size();
    int[] rows = new int[n];
    float[] scores = new float[n];
    heap.drainBestFirst(rows, scores);
    List<Mover> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int b = rows[i], a = from.row(to.word(b));
      out.add(
          new Mover(
              to.word(b),
              score(from, a, to, b, damping),
              from.cosine(a, to, b),
              from.count(a),
              to.count(b),
              neighbours > 0 ? from.neighbours(a, neighbours) : List.of(),
              neighbours > 0 ? to.neighbours(b, neighbours) : List.of()));
    }
    return out;
  }
}
