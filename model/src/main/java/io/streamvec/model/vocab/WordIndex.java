package io.streamvec.model.vocab;

/**
 * word -> int map for the vocabulary's per-token lookups: open addressing with linear probing,
 * keys, their hashes and values in three parallel arrays (load factor <= 1/2).
 *
 * <p>Why not HashMap&lt;String, Integer&gt;: its lookup chases table -> Node -> key -> bytes and
 * unboxes an Integer (HashMap.getNode was ~6% of the raw trainer's profile), and every put of a new
 * word allocates a Node and often an Integer. Here a miss on a probe usually stops at the int hash,
 * and nothing is allocated except when the table doubles. No iteration order is exposed, so the
 * vocabulary's determinism does not depend on it.
 */
final class WordIndex {
  private String[] keys;
  private int[] hashes;
  private int[] values;
  private int mask, size;

  WordIndex(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new String[cap];
    hashes = new int[cap];
    values = new int[cap];
    mask = cap - 1;
  }

  int size() {
    return size;
  }

  /** Spreads String.hashCode so that linear probing sees well-mixed low bits. */
  private static int hash(String word) {
    int h = word.hashCode() * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /** The value of word, or -1 if absent. */
  int get(String word) {
    int h = hash(word);
    for (int i = h & mask; ; i = (i + 1) & mask) {
      String k = keys[i];
      if (k == null) {
        return -1;
      }
      if (hashes[i] == h && k.equals(word)) {
        return values[i];
      }
    }
  }

  boolean containsKey(String word) {
    return get(word) >= 0;
  }

  /** Maps word to value (>= 0), replacing any previous value. */
  void put(String word, int value) {
    if (value < 0) {
      throw new IllegalArgumentException("values must be >= 0, got " + value);
    }
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int h = hash(word);
    int i = h & mask;
    for (; keys[i] != null; i = (i + 1) & mask) {
      if (hashes[i] == h && keys[i].equals(word)) {
        values[i] = value;
        return;
      }
    }
    keys[i] = word;
    hashes[i] = h;
    values[i] = value;
    size++;
  }

  /** Removes word if present (backward-shift deletion: no tombstones, probes stay short). */
  void remove(String word) {
    int h = hash(word);
    int i = h & mask;
    while (true) {
      if (keys[i] == null) {
        return;
      }
      if (hashes[i] == h && keys[i].equals(word)) {
        break;
      }
      i = (i + 1) & mask;
    }
    // Shift later entries of the probe run back into the hole unless their home lies
    // cyclically in (hole, j]: then they are already reachable from their home.
    int hole = i;
    for (int j = (hole + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
      int home = hashes[j] & mask;
      boolean reachable = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!reachable) {
        keys[hole] = keys[j];
        hashes[hole] = hashes[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = null;
    size--;
  }

  private void grow() {
    String[] oldKeys = keys;
    int[] oldHashes = hashes, oldValues = values;
    int cap = oldKeys.length * 2;
    keys = new String[cap];
    hashes = new int[cap];
    values = new int[cap];
    mask = cap - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != null) {
        int i = oldHashes[j] & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        hashes[i] = oldHashes[j];
        values[i] = oldValues[j];
      }
    }
  }
}
