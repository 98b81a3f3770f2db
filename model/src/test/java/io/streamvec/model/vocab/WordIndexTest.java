package io.streamvec.model.vocab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** WordIndex behaves like a HashMap under random puts, overwrites and removes, growth included. */
class WordIndexTest {

  @Test
  void randomOperationsMatchHashMap() {
    // Keys from a small pool so puts hit existing keys and removes hit present ones;
    // "Aa"/"BB" blocks share String.hashCode, so probe runs with equal hashes get exercised.
    String[] pool = new String[3000];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = i % 3 == 0 ? blockKey(i) : "w" + i;
    }
    SplittableRandom rng = new SplittableRandom(17);
    WordIndex index = new WordIndex(4);
    Map<String, Integer> expected = new HashMap<>();
    for (int step = 0; step < 200_000; step++) {
      String k = pool[rng.nextInt(pool.length)];
      int op = rng.nextInt(10);
      if (op < 5) {
        int v = rng.nextInt(1_000_000);
        index.put(k, v);
        expected.put(k, v);
      } else if (op < 8) {
        index.remove(k);
        expected.remove(k);
      } else {
        assertEquals(expected.getOrDefault(k, -1), index.get(k), "get(" + k + ") at step " + step);
      }
    }
    assertEquals(expected.size(), index.size());
    for (String k : pool) assertEquals(expected.getOrDefault(k, -1), index.get(k), k);
  }

  /** Strings built from "Aa" and "BB" (equal hashCodes): 2^n distinct keys per hash. */
  private static String blockKey(int i) {
    StringBuilder b = new StringBuilder();
    for (int bit = 0; bit < 10; bit++) b.append(((i >> bit) & 1) == 0 ? "Aa" : "BB");
    return b.toString();
  }
}
