package io.streamvec.model.lm;

import java.util.Arrays;

/**
 * An open-addressing hash map from non-negative long keys to an int value and an int count (linear
 * probing; removal only by clear or by {@link #remap}): the n-gram model's index, without boxing.
 * Key, value and count sit side by side in one array, so a lookup in a table far larger than the
 * caches, and reading or updating the count it finds, cost one cache miss. It allocates only when
 * it grows (load factor 1/2), so a lookup or an insert of a present key allocates nothing. Given
 * the most keys it will hold, its first growth goes straight to the size they need: a small table
 * stays small, and a table that fills rehashes its keys once instead of at every doubling.
 */
public final class LongIntTable {
  private static final long EMPTY = -1L;
  private long[] slots; // (2 * capacity): key, count << 32 | value, key, ...
  private int mask, size; // mask over entries
  private int generation; // changes when the homes of the keys do (at a growth)
  private final int maxEntries; // entries for maxSize keys at load factor 1/2

  /** Room for initialCapacity keys now; the first growth makes room for maxSize keys. */
  public LongIntTable(int initialCapacity, int maxSize) {
    int cap = entriesFor(initialCapacity);
    slots = emptySlots(cap);
    mask = cap - 1;
    maxEntries = entriesFor(maxSize);
  }

  private LongIntTable(long[] slots, int size, int maxEntries) {
    this.slots = slots;
    this.mask = slots.length / 2 - 1;
    this.size = size;
    this.maxEntries = maxEntries;
  }

  /** The least power of two >= 2 n (at least 16): n keys fit without growing. */
  private static int entriesFor(int n) {
    return Integer.highestOneBit(Math.max(8, n) * 4 - 1);
  }

  public int size() {
    return size;
  }

  /** The value of key, or -1 if absent. */
  public int get(long key) {
    int i = find(key);
    return i < 0 ? -1 : valueAt(i);
  }

  /** The entry holding key, or -1 if absent; valid until the next insert (which may grow). */
  public int find(long key) {
    return find(key, slot(key));
  }

  /**
   * As {@link #find(long)}, from key's {@link #home} (taken at this {@link #generation}: saves
   * hashing the key again).
   */
  public int find(long key, int home) {
    long[] s = slots;
    for (int i = home; ; i = (i + 1) & mask) {
      long k = s[2 * i];
      if (k == key) return i;
      if (k == EMPTY) return -1;
    }
  }

  public int valueAt(int entry) {
    return (int) slots[2 * entry + 1];
  }

  public int countAt(int entry) {
    return (int) (slots[2 * entry + 1] >>> 32);
  }

  public void setCountAt(int entry, int count) {
    slots[2 * entry + 1] = ((long) count << 32) | (slots[2 * entry + 1] & 0xFFFF_FFFFL);
  }

  /**
   * Loads the first entry key would be looked for in and returns its key word: called ahead of a
   * {@link #get} so that the cache miss starts early (a prefetch; the result means nothing).
   */
  public long touch(long key) {
    return slots[2 * slot(key)];
  }

  /** The entry where the lookup of key starts; valid while {@link #generation} stays the same. */
  public int home(long key) {
    return slot(key);
  }

  public int generation() {
    return generation;
  }

  /** As {@link #touch}, of the entry home (a {@link #home} of this generation). */
  public long touchAt(int home) {
    return slots[2 * home];
  }

  /** Adds key -> value with count 0; the key must be absent (callers insert after a failed get). */
  public void putNew(long key, int value) {
    putNew(key, value, 0);
  }

  /**
   * Adds key -> (value, count) and returns its entry (as {@link #find}); the key must be absent.
   */
  public int putNew(long key, int value, int count) {
    return putNew(key, -1, value, count);
  }

  /**
   * As {@link #putNew(long, int, int)}, given key's {@link #home} of this generation (-1: none).
   */
  public int putNew(long key, int home, int value, int count) {
    if (4 * (size + 1) > slots.length) {
      grow();
      home = -1;
    }
    size++;
    return insert(
        slots,
        home < 0 ? slot(key) : home,
        mask,
        key,
        ((long) count << 32) | (value & 0xFFFF_FFFFL));
  }

  /** An independent copy (same slots). */
  public LongIntTable copy() {
    return new LongIntTable(slots.clone(), size, maxEntries);
  }

  /** counts[v] = count of every entry (key -> v, count). */
  public void copyCountsTo(int[] counts) {
    long[] s = slots;
    for (int i = 0; i < s.length; i += 2)
      if (s[i] != EMPTY) counts[(int) s[i + 1]] = (int) (s[i + 1] >>> 32);
  }

  /** Removes every key; keeps the array (no allocation). */
  public void clear() {
    for (int i = 0; i < slots.length; i += 2) slots[i] = EMPTY;
    size = 0;
  }

  /**
   * Replaces each entry's value v by map[v] (and its count by counts[map[v]] unless counts is null)
   * and removes the entries whose map[v] is negative: in place, in one pass over the slots in their
   * order (no random accesses to the table, unlike clearing it and inserting the rest again). Each
   * entry is taken out and put back at the first free slot from its home on; the pass starts after
   * a free slot, so every slot between an entry's home and its old place has been passed already
   * and the entry lands at or before its old place: the lookups' invariant holds throughout.
   */
  public void remap(int[] map, int[] counts) {
    long[] s = slots;
    int m = mask, start = 0;
    while (s[2 * start] != EMPTY) start++; // one exists: the table is at most half full
    boolean hole = false; // a slot of this run of entries has been freed: later ones may move
    for (int step = 1; step <= m; step++) {
      int p = (start + step) & m;
      long key = s[2 * p];
      if (key == EMPTY) { // slots ahead of p are as before the pass: a run of entries ends here
        hole = false;
        continue;
      }
      int v = map[(int) s[2 * p + 1]];
      if (v < 0) {
        s[2 * p] = EMPTY;
        size--;
        hole = true;
        continue;
      }
      long word = ((counts == null ? s[2 * p + 1] >>> 32 : counts[v]) << 32) | v;
      if (hole) {
        s[2 * p] = EMPTY;
        insert(s, m, key, word);
      } else s[2 * p + 1] = word; // every slot from its home to here is taken: it stays
    }
  }

  private static long[] emptySlots(int entries) {
    long[] s = new long[2 * entries];
    Arrays.fill(s, EMPTY);
    return s;
  }

  private static int insert(long[] s, int mask, long key, long valueWord) {
    return insert(s, slot(key, mask), mask, key, valueWord);
  }

  private static int insert(long[] s, int home, int mask, long key, long valueWord) {
    int i = home;
    while (s[2 * i] != EMPTY) i = (i + 1) & mask;
    s[2 * i] = key;
    s[2 * i + 1] = valueWord;
    return i;
  }

  private int slot(long key) {
    return slot(key, mask);
  }

  private static int slot(long key, int mask) {
    // murmur3's 64-bit finaliser: keys are (node << 32 | word) and would cluster unmixed
    long h = key;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h & mask;
  }

  private void grow() {
    long[] old = slots;
    int entries = Math.max(old.length, maxEntries); // at least twice the old number of entries
    long[] s = emptySlots(entries);
    int m = entries - 1;
    for (int j = 0; j < old.length; j += 2) if (old[j] != EMPTY) insert(s, m, old[j], old[j + 1]);
    slots = s;
    mask = m;
    generation++;
  }
}
