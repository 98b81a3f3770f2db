package io.streamvec.model.lm;

import java.util.Arrays;

/**
 * An open-addressing hash map from non-negative long keys to int values (linear probing, no
 * removal, only clear): the n-gram models' index, without boxing. It allocates only when it doubles
 * (load factor 1/2), so a lookup or an insert of a present key allocates nothing.
 */
public final class LongIntTable {
  private static final long EMPTY = -1L;
  private long[] keys;
  private int[] values;
  private int mask, size;

  public LongIntTable(int initialCapacity) {
    int cap = Integer.highestOneBit(Math.max(16, initialCapacity) * 2 - 1);
    keys = new long[cap];
    Arrays.fill(keys, EMPTY);
    values = new int[cap];
    mask = cap - 1;
  }

  public int size() {
    return size;
  }

  /** The value of key, or -1 if absent. */
  public int get(long key) {
    for (int i = slot(key); ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == key) return values[i];
      if (k == EMPTY) return -1;
    }
  }

  /** Adds key -> value; the key must be absent (callers insert after a failed get). */
  public void putNew(long key, int value) {
    if (2 * (size + 1) > keys.length) grow();
    int i = slot(key);
    while (keys[i] != EMPTY) i = (i + 1) & mask;
    keys[i] = key;
    values[i] = value;
    size++;
  }

  /** An independent copy (same slots). */
  public LongIntTable copy() {
    LongIntTable t = new LongIntTable(16);
    t.keys = keys.clone();
    t.values = values.clone();
    t.mask = mask;
    t.size = size;
    return t;
  }

  /** Removes every key; keeps the arrays (no allocation). */
  public void clear() {
    Arrays.fill(keys, EMPTY);
    size = 0;
  }

  private int slot(long key) {
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
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    Arrays.fill(keys, EMPTY);
    values = new int[oldKeys.length * 2];
    mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] == EMPTY) continue;
      int i = slot(oldKeys[j]);
      while (keys[i] != EMPTY) i = (i + 1) & mask;
      keys[i] = oldKeys[j];
      values[i] = oldValues[j];
    }
  }
}
