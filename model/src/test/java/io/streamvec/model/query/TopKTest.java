package io.streamvec.model.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {

  /**
   * The heap must give exactly what sorting everything gives: score descending, then id ascending.
   */
  @Test
  void heapEqualsBruteForceSortIncludingTiesAndNaN() {
    Random rnd = new Random(9);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(300);
      float[] scores = new float[n];
      for (int i = 0; i < n; i++) {
        scores[i] =
            trial % 2 == 0
                ? rnd.nextInt(7) - 3
                : (float) rnd.nextGaussian(); // even trials: many ties
        if (rnd.nextInt(50) == 0) scores[i] = Float.NaN;
      }
      for (int k : new int[] {1, 2, 5, 1 + rnd.nextInt(n), n, n + 7}) {
        TopK heap = new TopK(k);
        for (int i = 0; i < n; i++) heap.offer(i, scores[i]);
        int[] ids = new int[heap.size()];
        float[] got = new float[heap.size()];
        heap.drainBestFirst(ids, got);
        int[] expected =
            IntStream.range(0, n)
                .boxed()
                .filter(i -> !Float.isNaN(scores[i]))
                .sorted(
                    Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                .limit(k)
                .mapToInt(Integer::intValue)
                .toArray();
        assertArrayEquals(expected, ids, "trial " + trial + " k " + k);
        for (int r = 0; r < ids.length; r++) assertEquals(scores[ids[r]], got[r]);
        assertEquals(0, heap.size());
      }
    }
  }
}
