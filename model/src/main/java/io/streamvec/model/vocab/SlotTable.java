package io.streamvec.model.vocab;

import io.streamvec.model.text.Tokenizer;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The vocabulary's slots: word and scaled count per slot, a word -> slot map, and an indexed
 * min-heap over the evictable slots ordered by (count, slot), so the least frequent word is found
 * in O(1) and a count change costs O(log V) at worst (a frequent word sits near the leaves: usually
 * no swap at all). Slots are dense in [0, size) and never freed, only reassigned; the first {@link
 * #RESERVED} slots are never in the heap, so they can never be evicted.
 */
final class SlotTable {
  static final int RESERVED = 2;

  private final int capacity;
  private String[] words; // slot -> word
  private double[] counts; // slot -> scaled count
  private int size;
  private final WordIndex slots;
  private final IndexedMinHeap evictionOrder =
      new IndexedMinHeap() {
        @Override
        boolean less(int a, int b) {
          return counts[a] < counts[b] || (counts[a] == counts[b] && a < b);
        }
      };

  SlotTable(int capacity) {
    this.capacity = capacity;
    this.slots = new WordIndex(Math.min(capacity, 1024));
    int initial = Math.min(capacity, 1024);
    words = new String[initial];
    counts = new double[initial];
    words[StreamingVocabulary.UNK] = StreamingVocabulary.UNK_WORD;
    words[StreamingVocabulary.EOS] = Tokenizer.EOS;
    slots.put(StreamingVocabulary.UNK_WORD, StreamingVocabulary.UNK);
    slots.put(Tokenizer.EOS, StreamingVocabulary.EOS);
    size = RESERVED;
  }

  int size() {
    return size;
  }

  int capacity() {
    return capacity;
  }

  boolean isFull() {
    return size == capacity;
  }

  /** The slot of word, or -1. */
  int find(String word) {
    return slots.get(word);
  }

  String word(int slot) {
    return words[slot];
  }

  double count(int slot) {
    return counts[slot];
  }

  /** Adds weight to the count of slot. */
  void add(int slot, double weight) {
    counts[slot] += weight;
    if (slot >= RESERVED) {
      evictionOrder.increased(slot);
    }
  }

  /** The evictable slot with the smallest count (ties: lowest slot), or -1 if there is none. */
  int leastFrequent() {
    return evictionOrder.min();
  }

  /** Puts word in the next free slot and returns it; the caller checks {@link #isFull()} first. */
  int append(String word, double count) {
    if (size == words.length) {
      int grown = (int) Math.min(capacity, 2L * size);
      words = Arrays.copyOf(words, grown);
      counts = Arrays.copyOf(counts, grown);
    }
    int slot = size++;
    words[slot] = word;
    counts[slot] = count;
    slots.put(word, slot);
    evictionOrder.add(slot);
    return slot;
  }

  /**
   * Gives an evictable slot to a new word with a count (the caller has read the old word and
   * count).
   */
  void replace(int slot, String word, double count) {
    slots.remove(words[slot]);
    words[slot] = word;
    counts[slot] = count;
    slots.put(word, slot);
    evictionOrder.changed(slot);
  }

  /**
   * Multiplies every count by factor (a power of two), flushing values below the normal range to 0.
   */
  void rescale(double factor) {
    for (int i = 0; i < size; i++) {
      counts[i] = StreamingVocabulary.scaled(counts[i], factor);
    }
    evictionOrder.rebuild(); // flushing to zero may have created ties
  }

  void write(DataOutput out) throws IOException {
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      DataIO.writeString(out, words[i]);
      out.writeDouble(counts[i]);
    }
  }

  /** Reads slots written by {@link #write} into this freshly constructed table. */
  void read(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < RESERVED || n > capacity) {
      throw new IOException(
          "corrupt vocabulary: size " + n + " outside [" + RESERVED + ", " + capacity + "]");
    }
    for (int i = 0; i < n; i++) {
      String word = DataIO.readString(in);
      double count = DataIO.readCount(in);
      if (i < RESERVED) {
        if (!word.equals(words[i])) {
          throw new IOException("corrupt vocabulary: reserved slot " + i + " holds '" + word + "'");
        }
        counts[i] = count;
      } else if (slots.containsKey(word)) {
        throw new IOException("corrupt vocabulary: word in slot " + i + " appears twice");
      } else {
        append(word, count);
      }
    }
  }
}
