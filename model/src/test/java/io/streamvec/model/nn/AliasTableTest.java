package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamvec.model.ReferenceAlias;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link AliasTable} against the table it must equal draw for draw: Walker's build with last-in
 * first-out work lists kept as a float probability and an int alias per column, and a draw that
 * compares the float coin (r &amp; 0xFFFFFF) 2^-24 with the probability. The coins tried include
 * those on either side of every column's probability.
 */
class AliasTableTest {

  /** The first high-32-bit value that lands on column c of n. */
  private static long high(int c, int n) {
    long h = ((long) c << 32) / n;
    while ((int) ((h * n) >>> 32) < c) h++;
    return h;
  }

  private static void assertSameDraws(float[] w, int count, AliasTable table, SplittableRandom r) {
    table.build(w, count);
    ReferenceAlias ref = new ReferenceAlias(w, count);
    assertEquals(count, table.size());
    for (int c = 0; c < count; c++) {
      long high = high(c, count) << 32;
      long edge = (long) (ref.prob(c) * 0x1p24f); // coins next to the probability
      long[] lows = {0, 1, edge - 1, edge, edge + 1, 0xFFFFFF, r.nextLong() & 0xFFFFFF};
      for (long low : lows) {
        if (low < 0 || low > 0xFFFFFF) continue;
        long bits = high | low | (r.nextLong() & 0xFF000000L); // bits 24-31 are not used
        assertEquals(ref.sample(bits), table.sample(bits), "column " + c + ", coin " + low);
      }
    }
    for (int i = 0; i < 20_000; i++) {
      long bits = r.nextLong();
      assertEquals(ref.sample(bits), table.sample(bits));
    }
  }

  @Test
  void drawsAsTheReferenceTableDoes() {
    SplittableRandom r = new SplittableRandom(5);
    AliasTable table = new AliasTable();
    for (int trial = 0; trial < 200; trial++) {
      int count = 1 + r.nextInt(trial < 100 ? 20 : 3000);
      float[] w = new float[count + 3];
      for (int i = 0; i < count; i++) {
        int kind = r.nextInt(10);
        // Zipf-like weights, zeros, ties, and weights of very different size
        w[i] =
            kind == 0
                ? 0f
                : kind == 1 ? 1f : (float) Math.pow(1 + r.nextInt(100_000), -0.75 * r.nextInt(4));
      }
      w[r.nextInt(count)] = 1f; // never all zero
      assertSameDraws(w, count, table, r);
    }
  }

  @Test
  void sampleDrawsTheSameFromAnRngAsFromItsNextLong() {
    AliasTable table = new AliasTable();
    table.build(new float[] {0.1f, 3f, 0f, 7f, 1.5f}, 5);
    Rng a = new Rng(42), b = new Rng(42);
    for (int i = 0; i < 1000; i++) assertEquals(table.sample(b.nextLong()), table.sample(a));
  }
}
