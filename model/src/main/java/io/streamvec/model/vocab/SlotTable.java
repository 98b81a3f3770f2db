package io.streamvec.model.vocab;

import io.streamvec.model.text.Tokenizer;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The vocabulary's slots: word and scaled count per slot, a word -> slot map, and an indexed
 * min-heap over the evictable slots, so the least frequent word (smallest (count, slot)) is found
 * without a scan. Slots are dense in [0, size) and never freed, only reassigned; the first {@link
 * #RESERVED} slots are never in the heap, so they can never be evicted.
 *
 * <p>The heap is ordered by each slot's count as it was when the heap last placed it ({@code
 * placed}), not by the live count: a token only adds to its slot's count, so placed counts are
 * lower bounds and nothing is re-placed per token. {@link #leastFrequent} re-places the top while
 * its placed count is stale; a top whose placed count is its count is the true minimum, since every
 * other slot's (placed count, slot) is above it and its count is at least that.
 */
final class SlotTable {
  static final int RESERVED = 2;

  private final int capacity;
  private String[] words; // slot -> word
  private double[] counts; // slot -> scaled count
  private double[] placed; // slot -> its count when the heap last placed it (<= counts[slot])
  private int size;
  private final WordIndex slots;
  private final IndexedMinHeap evictionOrder =
      new IndexedMinHeap() {
        @Override
        boolean less(int a, int b) {
          return placed[a] < placed[b] || (placed[a] == placed[b] && a < b);
        }
      };

  SlotTable(int capacity) {
    this.capacity = capacity;
    this.slots = new WordIndex(Math.min(capacity, 1024));
    int initial = Math.min(capacity, 1024);
    words = new String[initial];
    counts = new double[initial];
    placed = new double[initial];
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

  /** out[i] = count(i) / scale for i &lt; n. */
  void counts(double[] out, int n, double scale) {
    double[] c = counts;
    for (int i = 0; i < n; i++) out[i] = c[i] / scale;
  }

  /** Adds weight (> 0) to the count of slot; the heap catches up in {@link #leastFrequent}. */
  void add(int slot, double weight) {
    counts[slot] += weight;
  }

  /** The evictable slot with the smallest count (ties: lowest slot), or -1 if there is none. */
  int leastFrequent() {
    int min = evictionOrder.min();
    while (min >= 0 && placed[min] != counts[min]) {
      placed[min] = counts[min];
      evictionOrder.increased(min);
      min = evictionOrder.min();
    }
    return min;
  }

  /** Puts word in the next free slot and returns it; the caller checks {@link #isFull()} first. */
  int append(String word, double count) {
    if (size == words.length) {
      int grown = (int) Math.min(capacity, 2L * size);
      words = Arrays.copyOf(words, grown);
      counts = Arrays.copyOf(counts, grown);
      placed = Arrays.copyOf(placed, grown);
    }
    int slot = size++;
    words[slot] = word;
    counts[slot] = count;
    placed[slot] = count;
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
    placed[slot] = count;
    slots.put(word, slot);
    evictionOrder.changed(slot);
  }

  /**
   * Multiplies every count by factor (a power of two), flushing values below the normal range to 0.
   */
  void rescale(double factor) {
    for (int i = 0; i < size; i++) {
      counts[i] = StreamingVocabulary.scaled(counts[i], factor);
      placed[i] = counts[i];
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
