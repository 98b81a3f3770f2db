package io.streamvec.model.nn;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The rows (word slots, 0..capacity) whose parameters changed since the last {@link #clear}: one
 * bit per row, preallocated for the vocabulary's capacity. A training step marks 1 + k + L rows per
 * token; a plain OR into a fixed array costs less than {@link java.util.BitSet#set}, which checks
 * the index and may grow its array on every call (profiled: ~3% of the learner thread). Marks
 * outside 0..capacity fail with an ArrayIndexOutOfBoundsException, as a bug should.
 */
public final class RowMarks {
  private final int capacity;
  private final long[] words;

  public RowMarks(int capacity) {
    if (capacity < 0) throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
    this.capacity = capacity;
    this.words = new long[(capacity + 63) >>> 6];
  }

  public int capacity() {
    return capacity;
  }

  public void mark(int row) {
    words[row >>> 6] |= 1L << row;
  }

  /**
   * Marks rows from (inclusive) to to (exclusive), a word at a time (the softmax step marks all of
   * them).
   */
  public void markRange(int from, int to) {
    if (from >= to) return;
    if (from < 0 || to > capacity)
      throw new IndexOutOfBoundsException("rows " + from + ".." + to + " outside 0.." + capacity);
    int first = from >>> 6, last = (to - 1) >>> 6;
    long firstMask = -1L << from,
        lastMask = -1L >>> -to; // shifts use the low 6 bits: the bits from..63 and 0..(to-1)%64
    if (first == last) {
      words[first] |= firstMask & lastMask;
      return;
    }
    words[first] |= firstMask;
    for (int w = first + 1; w < last; w++) words[w] = -1L;
    words[last] |= lastMask;
  }

  public boolean get(int row) {
    return (words[row >>> 6] & (1L << row)) != 0;
  }

  public int count() {
    int n = 0;
    for (long w : words) n += Long.bitCount(w);
    return n;
  }

  /** The marked rows in increasing order. */
  public int[] toArray() {
    int[] rows = new int[count()];
    int n = 0;
    for (int w = 0; w < words.length; w++) {
      for (long bits = words[w]; bits != 0; bits &= bits - 1)
        rows[n++] = (w << 6) + Long.numberOfTrailingZeros(bits);
    }
    return rows;
  }

  public IntStream stream() {
    return IntStream.of(toArray());
  }

  public void clear() {
    Arrays.fill(words, 0L);
  }
}
