package io.streamvec.model.vocab;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Bounded counts of words waiting to enter the vocabulary, kept with the Space-Saving algorithm
 * (Metwally et al. 2005): when the table is full, a new word takes over the entry with the smallest
 * count and inherits that count as its possible overestimate ({@code error}). {@code count - error}
 * is therefore a guaranteed lower bound of the word's own (decayed) count, and admission uses only
 * that.
 *
 * <p>Counts are in the vocabulary's scaled units (see {@link StreamingVocabulary}); all entries
 * decay at the same rate, so the order of raw counts never changes with time, only with
 * observations. O(log C) per update via an indexed min-heap ordered by (count, word): a total order
 * independent of where an entry is stored.
 */
final class CandidateTable {
  private final int capacity;
  private String[] words = new String[16];
  private double[] counts = new double[16]; // scaled, including the inherited error
  private double[] errors = new double[16]; // scaled overestimate inherited on takeover
  private int size;
  private final WordIndex index = new WordIndex(16);
  private final IndexedMinHeap heap =
      new IndexedMinHeap() {
        @Override
        boolean less(int a, int b) {
          double ca = counts[a];
          double cb = counts[b];
          return ca < cb || (ca == cb && words[a].compareTo(words[b]) < 0);
        }
      };

  CandidateTable(int capacity) {
    this.capacity = capacity;
  }

  int size() {
    return size;
  }

  int capacity() {
    return capacity;
  }

  String word(int i) {
    return words[i];
  }

  /** Scaled count that word i certainly has (its count minus any inherited overestimate). */
  double guaranteed(int i) {
    return counts[i] - errors[i];
  }

  /**
   * Adds weight (one scaled occurrence) to word, taking over the smallest entry if full; returns
   * its index.
   */
  int observe(String word, double weight) {
    int i = index.get(word);
    if (i >= 0) {
      counts[i] += weight;
      heap.increased(i);
      return i;
    }
    if (size < capacity) {
      return append(word, weight, 0.0);
    }
    i = heap.min();
    double floor = counts[i];
    index.remove(words[i]);
    words[i] = word;
    counts[i] = floor + weight;
    errors[i] = floor;
    index.put(word, i);
    heap.increased(i);
    return i;
  }

  /**
   * Puts back a word evicted from the vocabulary with its exact scaled count. If the table is full
   * it replaces the smallest entry only when it is larger; otherwise the word is forgotten.
   */
  void insert(String word, double count) {
    if (size < capacity) {
      append(word, count, 0.0);
      return;
    }
    int i = heap.min();
    if (count > counts[i]) {
      remove(i);
      append(word, count, 0.0);
    }
  }

  /** Removes entry i; the last entry moves into its place to keep storage compact. */
  void remove(int i) {
    heap.remove(i);
    index.remove(words[i]);
    int last = size - 1;
    if (i != last) {
      heap.remove(last);
      words[i] = words[last];
      counts[i] = counts[last];
      errors[i] = errors[last];
      index.put(words[i], i);
      heap.add(i);
    }
    words[last] = null;
    size--;
  }

  /**
   * Multiplies every count by factor (a power of two) and flushes values below the normal range to
   * 0.
   */
  void rescale(double factor) {
    for (int i = 0; i < size; i++) {
      counts[i] = StreamingVocabulary.scaled(counts[i], factor);
      errors[i] = StreamingVocabulary.scaled(errors[i], factor);
    }
    heap.rebuild();
  }

  void write(DataOutput out) throws IOException {
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      DataIO.writeString(out, words[i]);
      out.writeDouble(counts[i]);
      out.writeDouble(errors[i]);
    }
  }

  /**
   * Reads entries written by {@link #write}; words already in the vocabulary are rejected as
   * corrupt.
   */
  void read(DataInput in, SlotTable vocabulary) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > capacity) {
      throw new IOException("corrupt vocabulary: " + n + " candidates for a table of " + capacity);
    }
    for (int i = 0; i < n; i++) {
      String word = DataIO.readString(in);
      double count = DataIO.readCount(in);
      double error = DataIO.readCount(in);
      if (error > count || index.containsKey(word) || vocabulary.find(word) >= 0) {
        throw new IOException("corrupt vocabulary: bad candidate entry " + i);
      }
      append(word, count, error);
    }
  }

  private int append(String word, double count, double error) {
    if (size == words.length) {
      int grown = Math.min(capacity, size * 2);
      words = Arrays.copyOf(words, grown);
      counts = Arrays.copyOf(counts, grown);
      errors = Arrays.copyOf(errors, grown);
    }
    int i = size++;
    words[i] = word;
    counts[i] = count;
    errors[i] = error;
    index.put(word, i);
    heap.add(i);
    return i;
  }
}
