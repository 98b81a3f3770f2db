package io.streamvec.model.vocab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SlotTable#leastFrequent} against a scan of every evictable slot for the smallest (count,
 * slot), through counts that grow token by token, ties, replacements with smaller and larger counts
 * and a rescale that flushes small counts to zero.
 */
class SlotTableTest {

  private static int scanForLeast(SlotTable t) {
    int least = -1;
    for (int s = SlotTable.RESERVED; s < t.size(); s++) {
      if (least < 0 || t.count(s) < t.count(least)) least = s; // ties: the lower slot stays
    }
    return least;
  }

  @Test
  void leastFrequentIsTheScansMinimum() {
    SplittableRandom r = new SplittableRandom(9);
    SlotTable t = new SlotTable(300);
    assertEquals(-1, t.leastFrequent());
    int next = 0;
    for (int step = 0; step < 200_000; step++) {
      int what = r.nextInt(1000);
      if (!t.isFull() && what < 20) {
        t.append("w" + next++, 1 + r.nextInt(3)); // small whole counts: many ties
      } else if (t.size() > SlotTable.RESERVED && what < 23) {
        // the rarest slot (an eviction) or any other
        int s = what < 22 ? t.leastFrequent() : SlotTable.RESERVED + r.nextInt(t.size() - 2);
        int how = r.nextInt(3); // a larger count (as in an eviction), a smaller one, or 1
        t.replace(s, "w" + next++, how == 0 ? t.count(s) * 2 : how == 1 ? t.count(s) / 4 : 1.0);
      } else if (what == 999) {
        t.rescale(0x1p-40); // counts below 2^-982 would flush; these stay, exactly scaled
      } else if (t.size() > 0) {
        // Zipf-like slot, an occurrence weighing 1 or a growing scale
        int s = (int) Math.min(t.size() - 1, Math.exp(r.nextDouble() * Math.log(t.size() + 1)));
        t.add(s, what % 2 == 0 ? 1.0 : 1.0 + step * 1e-6);
      }
      if (step % 7 == 0 || what < 23) {
        assertEquals(scanForLeast(t), t.leastFrequent(), "step " + step);
      }
    }
    assertEquals(300, t.size());
  }

  @Test
  void aRescaleThatFlushesToZeroLeavesTiesBrokenBySlot() {
    SlotTable t = new SlotTable(10);
    t.append("a", 0x1p-1000); // slot 2
    t.append("b", 0x1p-1010); // slot 3
    t.append("c", 1.0); // slot 4
    assertEquals(3, t.leastFrequent());
    t.rescale(0x1p-512);
    assertEquals(0.0, t.count(3));
    assertEquals(0.0, t.count(2));
    assertEquals(2, t.leastFrequent(), "both flushed to 0: the lower slot");
    t.add(2, 0x1p-600);
    assertEquals(3, t.leastFrequent());
    t.add(3, 1.0);
    t.add(4, 0x1p-100);
    assertEquals(2, t.leastFrequent());
  }
}
