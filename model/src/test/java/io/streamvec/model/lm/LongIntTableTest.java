package io.streamvec.model.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LongIntTableTest {

  /**
   * Keys inserted past the initial room, up to and beyond the announced maximum, against a HashMap
   * filled with the same operations: every key (present or absent) answers the same, also in a copy
   * and after a clear.
   */
  @ParameterizedTest(name = "initial {0}, max {1}, keys {2}")
  @CsvSource({"16, 16, 300", "16, 1000, 1000", "100, 5000, 3000", "8, 200, 2000"})
  void answersAsAMapOfTheSameInserts(int initial, int max, int keys) {
    LongIntTable t = new LongIntTable(initial, max);
    Map<Long, int[]> ref = new HashMap<>(); // value, count
    Rng rng = new Rng(initial + 31L * keys);
    long[] inserted = new long[keys];
    for (int i = 0; i < keys; i++) {
      // clustered keys as the n-gram model makes them: (small node << 32 | small word)
      long key;
      do key = ((long) (int) (rng.nextFloat() * 64) << 32) | (int) (rng.nextFloat() * 4096);
      while (ref.containsKey(key));
      inserted[i] = key;
      int count = i % 3;
      int entry = t.putNew(key, i, count);
      assertEquals(entry, t.find(key));
      ref.put(key, new int[] {i, count});
      if (i % 5 == 0) { // a count update of an earlier key, through its entry
        long k = inserted[(int) (rng.nextFloat() * (i + 1))];
        int c = ref.get(k)[1] + 7;
        t.setCountAt(t.find(k), c);
        ref.get(k)[1] = c;
      }
    }
    assertEquals(ref.size(), t.size());
    LongIntTable copy = t.copy();
    for (LongIntTable x : new LongIntTable[] {t, copy}) {
      for (Map.Entry<Long, int[]> e : ref.entrySet()) {
        int entry = x.find(e.getKey());
        assertEquals(e.getValue()[0], x.valueAt(entry));
        assertEquals(e.getValue()[0], x.get(e.getKey()));
        assertEquals(e.getValue()[1], x.countAt(entry));
      }
      for (int i = 0; i < 2000; i++) {
        long absent = ((long) (64 + i) << 32) | i;
        assertEquals(-1, x.get(absent));
      }
    }
    t.clear();
    assertEquals(0, t.size());
    for (long k : inserted) assertEquals(-1, t.get(k));
    assertEquals(ref.size(), copy.size());
    t.putNew(inserted[0], 5);
    assertEquals(5, t.get(inserted[0]));
    assertEquals(0, t.countAt(t.find(inserted[0])));
  }

  /**
   * Inserts and lookups given a home taken ahead (as the n-gram model's early loads do), some of
   * them across a growth, which changes the generation: the same answers as a HashMap, and the
   * counts copied out by value are the map's.
   */
  @ParameterizedTest(name = "initial {0}, max {1}, keys {2}")
  @CsvSource({"16, 16, 300", "16, 1000, 1000", "8, 200, 2000"})
  void homesTakenAheadAnswerAsTheMap(int initial, int max, int keys) {
    LongIntTable t = new LongIntTable(initial, max);
    Map<Long, Integer> counts = new HashMap<>(); // key -> count (value = insertion number)
    List<Long> order = new ArrayList<>();
    Rng rng = new Rng(7L * keys + initial);
    int growths = 0;
    for (int i = 0; i < keys; i++) {
      long key;
      do key = ((long) (int) (rng.nextFloat() * 64) << 32) | (int) (rng.nextFloat() * 4096);
      while (counts.containsKey(key));
      int generation = t.generation(), home = t.home(key);
      t.touchAt(home);
      assertEquals(-1, t.find(key, home));
      int entry = t.putNew(key, home, i, i % 4);
      if (t.generation() != generation) growths++;
      assertEquals(t.find(key), entry);
      counts.put(key, i % 4);
      order.add(key);
      long earlier = order.get((int) (rng.nextFloat() * order.size()));
      home = t.home(earlier);
      int c = counts.get(earlier) + 1;
      t.setCountAt(t.find(earlier, home), c);
      counts.put(earlier, c);
    }
    assertTrue(growths > 0 || initial >= max, "growths: " + growths);
    int[] byValue = new int[keys];
    java.util.Arrays.fill(byValue, -1);
    t.copyCountsTo(byValue);
    for (int i = 0; i < keys; i++) {
      long key = order.get(i);
      assertEquals(i, t.valueAt(t.find(key, t.home(key))));
      assertEquals(counts.get(key), byValue[i], "key " + i);
    }
  }
}
