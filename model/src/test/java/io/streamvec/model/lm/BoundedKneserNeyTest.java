package io.streamvec.model.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.Rng;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BoundedKneserNeyTest {

  /** A skewed stream with new words and evicted (reused) slots, fed to both models. */
  interface Sink {
    void slot(int slot, boolean reused);

    void token(int w, int v);
  }

  static void stream(long seed, int n, Sink sink) {
    Rng rng = new Rng(seed);
    int v = 3;
    for (int t = 0; t < n; t++) {
      if (v < 40 && rng.nextFloat() < 0.01) sink.slot(v++, false);
      if (v > 5 && rng.nextFloat() < 0.003) sink.slot(2 + (int) (rng.nextFloat() * (v - 2)), true);
      sink.token(Math.min(v - 1, (int) (v * Math.pow(rng.nextFloat(), 3))), v);
    }
  }

  @ParameterizedTest(name = "order {0}")
  @ValueSource(ints = {1, 2, 3, 4})
  void belowItsCapacityItIsTheKneserNeyModelRecountedFromTheWholeStream(int order) {
    BoundedKneserNey bounded = new BoundedKneserNey(order, 1 << 20, 1e18);
    Rng rng = new Rng(11 + order);
    int v = 6;
    List<Integer> seen = new java.util.ArrayList<>();
    for (int t = 0; t < 400; t++) {
      if (t % 7 == 0) {
        BruteForceKneserNey reference = new BruteForceKneserNey(order, seen);
        for (int w = 0; w < v; w++)
          assertEquals(reference.probability(w, v), bounded.probability(w, v), 1e-12, "t=" + t);
      }
      int w = (int) (v * Math.pow(rng.nextFloat(), 2));
      bounded.count(w);
      seen.add(w);
    }
    assertEquals(0, bounded.rebuilds());
  }

  @ParameterizedTest(name = "order {0}")
  @ValueSource(ints = {1, 2, 3})
  void atItsCapacityItStaysBoundedAndNormalised(int order) {
    BoundedKneserNey m = new BoundedKneserNey(order, 600, 5_000);
    int[] vNow = {3};
    stream(
        9,
        40_000,
        new Sink() {
          int t;

          public void slot(int slot, boolean reused) {
            m.slotAssigned(slot, reused);
          }

          public void token(int w, int v) {
            vNow[0] = v;
            m.count(w);
            assertTrue(m.storedNgrams() <= 600);
            if (++t % 1013 == 0) assertEquals(1.0, sum(m, v), 1e-9, "t=" + t);
          }
        });
    assertTrue(m.rebuilds() > 5, "rebuilds: " + m.rebuilds());
  }

  static double sum(BoundedKneserNey m, int v) {
    double s = 0;
    for (int w = 0; w < v; w++) s += m.probability(w, v);
    return s;
  }

  /**
   * After a rebuild the model is the Kneser-Ney trigram of the kept counts: checked against a
   * direct computation from the trigram tally (continuation counts by their definition).
   */
  @Test
  void aRebuildKeepsTheTrigramsSeenTwiceAndTheirContinuationCounts() {
    int v = 12;
    BoundedKneserNey m = new BoundedKneserNey(3, 1 << 16, 1e18);
    Map<List<Integer>, Integer> tri = new HashMap<>();
    Rng rng = new Rng(5);
    int u2 = 1, u1 = 1; // the stream starts after </s>
    for (int t = 0; t < 3_000; t++) {
      int w = Math.min(v - 1, (int) (v * Math.pow(rng.nextFloat(), 2)));
      m.count(w);
      tri.merge(List.of(u2, u1, w), 1, Integer::sum);
      u2 = u1;
      u1 = w;
    }
    m.rebuild(false);
    tri.values().removeIf(c -> c < 2);
    Map<List<Integer>, Integer> bi = new HashMap<>(), uni = new HashMap<>();
    for (List<Integer> k : tri.keySet()) bi.merge(k.subList(1, 3), 1, Integer::sum);
    for (List<Integer> k : bi.keySet()) uni.merge(k.subList(1, 2), 1, Integer::sum);
    for (int a = 0; a < v; a++)
      for (int b = 0; b < v; b++) {
        int[] hist = {b, a}; // most recent first: context (a b)
        for (int w = 0; w < v; w++) {
          double p = 1.0 / v;
          p = level(p, uni, List.of(), w);
          p = level(p, bi, List.of(b), w);
          p = level(p, tri, List.of(a, b), w);
          assertEquals(p, m.probability(w, v, hist, false), 1e-12, "p(" + w + " | " + a + " " + b);
        }
      }
  }

  /** One interpolation level from counts c(h w), with D = n1 / (n1 + 2 n2) of that order. */
  private static double level(double lower, Map<List<Integer>, Integer> c, List<Integer> h, int w) {
    long n1 = c.values().stream().filter(x -> x == 1).count();
    long n2 = c.values().stream().filter(x -> x == 2).count();
    double d = n1 + n2 == 0 ? 0.5 : Math.min(0.95, Math.max(0.05, n1 / (n1 + 2.0 * n2)));
    int total = 0, types = 0;
    for (Map.Entry<List<Integer>, Integer> e : c.entrySet())
      if (e.getKey().subList(0, h.size()).equals(h)) {
        total += e.getValue();
        types++;
      }
    if (total == 0) return lower;
    List<Integer> hw = new java.util.ArrayList<>(h);
    hw.add(w);
    return (Math.max(c.getOrDefault(hw, 0) - d, 0) + d * types * lower) / total;
  }

  @Test
  void writeThenReadGivesTheSameModelAndTheSameFuture() throws IOException {
    BoundedKneserNey a = new BoundedKneserNey(3, 900, 7_000);
    List<int[]> events = new java.util.ArrayList<>();
    stream(
        13,
        30_000,
        new Sink() {
          public void slot(int slot, boolean reused) {
            events.add(new int[] {slot, reused ? 1 : 0, -1});
          }

          public void token(int w, int v) {
            events.add(new int[] {w, v, 0});
          }
        });
    int cut = events.size() / 2;
    for (int[] e : events.subList(0, cut)) feed(a, e);
    BoundedKneserNey b = BoundedKneserNey.read(bytesIn(a));
    BoundedKneserNey c = a.copy();
    assertEquals(
        new String(bytes(a), java.nio.charset.StandardCharsets.ISO_8859_1),
        new String(bytes(b), java.nio.charset.StandardCharsets.ISO_8859_1));
    for (int[] e : events.subList(cut, events.size())) {
      if (e[2] == 0) assertEquals(a.probability(e[0], e[1]), b.probability(e[0], e[1]), 0.0);
      feed(a, e);
      feed(b, e);
      feed(c, e);
    }
    assertTrue(a.rebuilds() > 2);
    assertEquals(java.util.Arrays.toString(bytes(a)), java.util.Arrays.toString(bytes(b)));
    assertEquals(java.util.Arrays.toString(bytes(a)), java.util.Arrays.toString(bytes(c)));
  }

  /**
   * Counting finds the next token's contexts as soon as the history moves; a model restored after
   * every eviction finds them afresh from its history. Both must count the same n-grams (an evicted
   * word in the history becomes &lt;unk&gt; there, its old contexts are never reached again).
   */
  @ParameterizedTest(name = "order {0}")
  @ValueSource(ints = {2, 3, 4})
  void contextsFoundAheadAreTheContextsFoundAfresh(int order) throws IOException {
    BoundedKneserNey[] live = {new BoundedKneserNey(order, 2_000, 9_000)};
    BoundedKneserNey[] fresh = {new BoundedKneserNey(order, 2_000, 9_000)};
    int[] evictions = {0};
    stream(
        17 + order,
        30_000,
        new Sink() {
          public void slot(int slot, boolean reused) {
            live[0].slotAssigned(slot, reused);
            fresh[0].slotAssigned(slot, reused);
            if (!reused) return;
            evictions[0]++;
            try {
              fresh[0] = BoundedKneserNey.read(bytesIn(fresh[0]));
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }

          public void token(int w, int v) {
            assertEquals(live[0].probability(w, v), fresh[0].probability(w, v), 0.0);
            live[0].count(w);
            fresh[0].count(w);
          }
        });
    assertTrue(evictions[0] > 50 && live[0].rebuilds() > 2, evictions[0] + " evictions");
    assertEquals(
        java.util.Arrays.toString(bytes(live[0])), java.util.Arrays.toString(bytes(fresh[0])));
  }

  /**
   * A rebuild renumbers the tables in place and recounts along the suffix links; one whose serials
   * are renumbered (serialLimit 0: every rebuild) clears the tables and fills them again by
   * lookups. Both must give the same model: the same probabilities at every token, the same
   * checkpoint bytes after every rebuild (pruning and halving, with evictions), and the same after
   * a restore.
   */
  @ParameterizedTest(name = "order {0}")
  @ValueSource(ints = {1, 2, 3, 4})
  void aRebuildInPlaceIsTheRebuildFromScratch(int order) throws IOException {
    BoundedKneserNey[] m = {
      new BoundedKneserNey(order, 600, 4_000), new BoundedKneserNey(order, 600, 4_000)
    };
    m[1].serialLimit = 0;
    long[] checked = {0};
    stream(
        23 + order,
        40_000,
        new Sink() {
          public void slot(int slot, boolean reused) {
            m[0].slotAssigned(slot, reused);
            m[1].slotAssigned(slot, reused);
          }

          public void token(int w, int v) {
            for (int x = 0; x < v; x += 3)
              assertEquals(m[1].probability(x, v), m[0].probability(x, v), 0.0);
            m[0].count(w);
            m[1].count(w);
            if (m[0].rebuilds() == checked[0]) return;
            checked[0] = m[0].rebuilds();
            try {
              assertEquals(
                  java.util.Arrays.toString(bytes(m[1])),
                  java.util.Arrays.toString(bytes(m[0])),
                  "rebuild " + checked[0]);
              if (checked[0] % 7 == 0) m[0] = BoundedKneserNey.read(bytesIn(m[0]));
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        });
    assertEquals(m[1].rebuilds(), m[0].rebuilds());
    assertTrue(
        m[0].rebuilds() > (order == 1 ? 5 : 30),
        "order " + order + " rebuilds: " + m[0].rebuilds());
    assertEquals(java.util.Arrays.toString(bytes(m[1])), java.util.Arrays.toString(bytes(m[0])));
  }

  private static void feed(BoundedKneserNey m, int[] e) {
    if (e[2] < 0) m.slotAssigned(e[0], e[1] == 1);
    else m.count(e[0]);
  }

  static byte[] bytes(BoundedKneserNey m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.write(new DataOutputStream(out));
    return out.toByteArray();
  }

  static DataInputStream bytesIn(BoundedKneserNey m) throws IOException {
    return new DataInputStream(new ByteArrayInputStream(bytes(m)));
  }
}
