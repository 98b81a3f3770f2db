package io.streamvec.model.query;

/**
 * The k best (id, score) pairs of a stream, in a min-heap on score whose root is the worst kept
 * pair, so each offer costs O(log k) and the whole pass O(n log k). Ties go to the lower id (the
 * order is total, so results are deterministic); NaN scores are never kept.
 */
final class TopK {
  private final int[] ids;
  private final float[] scores;
  private int size;

  TopK(int k) {
    ids = new int[k];
    scores = new float[k];
  }

  /** a ranks below b: lower score, or equal score and higher id. */
  private static boolean worse(float sa, int ia, float sb, int ib) {
    return sa < sb || (sa == sb && ia > ib);
  }

  void offer(int id, float score) {
    if (Float.isNaN(score) || ids.length == 0) return;
    if (size < ids.length) {
      int i = size++;
      // sift up: parents must be worse than children
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!worse(score, id, scores[parent], ids[parent])) break;
        ids[i] = ids[parent];
        scores[i] = scores[parent];
        i = parent;
      }
      ids[i] = id;
      scores[i] = score;
    } else if (worse(scores[0], ids[0], score, id)) {
      siftDown(id, score, size);
    }
  }

  /** Places (id, score) at the root and sinks it within the first n slots. */
  private void siftDown(int id, float score, int n) {
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && worse(scores[child + 1], ids[child + 1], scores[child], ids[child]))
        child++;
      if (!worse(scores[child], ids[child], score, id)) break;
      ids[i] = ids[child];
      scores[i] = scores[child];
      i = child;
    }
    ids[i] = id;
    scores[i] = score;
  }

  int size() {
    return size;
  }

  /** Empties the heap into outIds/outScores, best first (heap sort: pop the worst to the back). */
  void drainBestFirst(int[] outIds, float[] outScores) {
    for (int n = size; n > 0; n--) {
      outIds[n - 1] = ids[0];
      outScores[n - 1] = scores[0];
      siftDown(ids[n - 1], scores[n - 1], n - 1);
    }
    size = 0;
  }
}
