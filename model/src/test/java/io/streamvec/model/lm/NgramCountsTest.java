package io.streamvec.model.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.Rng;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Counting keeps a count beside each key in the event index and brings the by-event counts of the
 * lower orders up to date only for a checkpoint: the counts a checkpoint holds must be the stream's
 * n-gram counts (raw at the top order, continuation counts below) as {@link BruteForceKneserNey}
 * tallies them with HashMaps, at every checkpoint along the stream.
 */
class NgramCountsTest {

  @ParameterizedTest(name = "order {0}")
  @ValueSource(ints = {1, 2, 3, 4})
  void aCheckpointHoldsTheStreamsNgramCounts(int order) throws IOException {
    BoundedKneserNey m = new BoundedKneserNey(order, 1 << 16, 1e18);
    Rng rng = new Rng(41 + order);
    int v = 30;
    List<Integer> stream = new ArrayList<>();
    for (int t = 1; t <= 4_000; t++) {
      int w = 2 + (int) ((v - 2) * Math.pow(rng.nextFloat(), 2));
      m.count(w);
      stream.add(w);
      if (t % 500 != 0) continue;
      Map<List<Integer>, Integer> expected = new HashMap<>();
      BruteForceKneserNey reference = new BruteForceKneserNey(order, stream);
      for (int k = 1; k <= order; k++)
        for (Map.Entry<List<Integer>, Integer> e : reference.counts.get(k).entrySet())
          expected.put(e.getKey(), e.getValue());
      assertEquals(expected, countsIn(m), "t=" + t);
    }
    assertEquals(0, m.rebuilds());
  }

  /**
   * Early loads change nothing a count reads, also when the next count is of another word than the
   * one prefetched (the homes they keep are for the prefetched word's keys).
   */
  @ParameterizedTest(name = "order {0}")
  @ValueSource(ints = {1, 3})
  void aPrefetchOfAnotherWordChangesNoCount(int order) throws IOException {
    BoundedKneserNey plain = new BoundedKneserNey(order, 600, 5_000);
    BoundedKneserNey prefetched = new BoundedKneserNey(order, 600, 5_000);
    Rng rng = new Rng(3 + order);
    for (int t = 0; t < 20_000; t++) {
      int w = 2 + (int) (28 * Math.pow(rng.nextFloat(), 2));
      prefetched.prefetch(rng.nextFloat() < 0.5 ? w : 2 + (w + 1) % 28);
      plain.count(w);
      prefetched.count(w);
    }
    assertTrue(plain.rebuilds() > 2, "rebuilds: " + plain.rebuilds());
    assertEquals(countsIn(plain), countsIn(prefetched));
    for (int w = 0; w < 30; w++)
      assertEquals(plain.probability(w, 30), prefetched.probability(w, 30));
  }

  /** gram (oldest word first, as slots) -> count, from the checkpoint's bytes. */
  static Map<List<Integer>, Integer> countsIn(BoundedKneserNey m) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    m.write(new DataOutputStream(bytes));
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    int order = in.readInt();
    in.readInt(); // capacity
    in.readDouble(); // half-life
    for (int i = 0; i < 3; i++) in.readLong(); // counted, since decay, rebuilds
    for (int i = 0; i < order - 1; i++) in.readInt(); // history
    in.readInt(); // next instance
    Map<Integer, Integer> slotOf = new HashMap<>(); // word instance -> slot
    int slots = in.readInt();
    for (int s = 0; s < slots; s++) {
      slotOf.put(in.readInt(), s);
      in.readInt(); // first event with target s
    }
    int nodes = in.readInt();
    int[] parent = new int[nodes], word = new int[nodes];
    for (int n = 1; n < nodes; n++) {
      parent[n] = in.readInt();
      word[n] = in.readInt();
    }
    for (int n = 0; n < 2 * nodes; n++) in.readInt(); // total, types
    Map<List<Integer>, Integer> counts = new HashMap<>();
    int events = in.readInt();
    for (int e = 0; e < events; e++) {
      int node = in.readInt(), target = in.readInt(), count = in.readInt();
      in.readInt(); // next event with the same target
      in.readByte(); // order
      List<Integer> gram = new ArrayList<>();
      for (int n = node; n > 0; n = parent[n]) gram.add(slotOf.get(word[n])); // oldest first
      gram.add(target);
      if (count > 0) counts.put(gram, count);
    }
    return counts;
  }
}
