package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RowMarks agrees with java.util.BitSet on any mix of marks, ranges (word borders included) and
 * clears.
 */
class RowMarksTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 63, 64, 65, 128, 1000, 4099})
  void agreesWithBitSet(int capacity) {
    Random rnd = new Random(capacity);
    RowMarks marks = new RowMarks(capacity);
    BitSet reference = new BitSet();
    for (int op = 0; op < 3000; op++) {
      int kind = rnd.nextInt(20);
      if (kind == 0) {
        marks.clear();
        reference.clear();
      } else if (kind < 4) {
        int a = rnd.nextInt(capacity + 1), b = rnd.nextInt(capacity + 1);
        marks.markRange(Math.min(a, b), Math.max(a, b));
        reference.set(Math.min(a, b), Math.max(a, b));
      } else {
        int r = rnd.nextInt(capacity);
        marks.mark(r);
        reference.set(r);
      }
      if (op % 100 == 0 || op == 2999) {
        assertArrayEquals(reference.stream().toArray(), marks.toArray(), "after op " + op);
        assertEquals(reference.cardinality(), marks.count());
        for (int r = 0; r < capacity; r++) assertEquals(reference.get(r), marks.get(r), "row " + r);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 5, 63, 64, 127, 128, 129})
  void rangesEndingAtEveryWordBorder(int to) {
    RowMarks marks = new RowMarks(200);
    marks.markRange(3, to);
    BitSet reference = new BitSet();
    reference.set(3, Math.max(3, to));
    assertArrayEquals(reference.stream().toArray(), marks.toArray());
  }

  @org.junit.jupiter.api.Test
  void marksOutsideTheCapacityFail() {
    RowMarks marks = new RowMarks(10);
    assertThrows(IndexOutOfBoundsException.class, () -> marks.markRange(5, 11));
    assertThrows(ArrayIndexOutOfBoundsException.class, () -> new RowMarks(64).mark(64));
  }
}
