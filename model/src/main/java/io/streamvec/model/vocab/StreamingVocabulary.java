package io.streamvec.model.vocab;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;

/**
 * A bounded vocabulary that adapts to an endless stream: word ids (slots) for the learner's matrix
 * rows, with exponentially decayed counts.
 *
 * <p><b>Decay without O(V) work per token.</b> Every count halves every {@code halfLifeTokens}
 * tokens. Instead of touching all counts, each token multiplies a global {@code scale} by
 * 2^(1/halfLife) and adds {@code scale} to the raw count of its word; a decayed count is {@code raw
 * / scale}, so the newest occurrence weighs exactly 1. Raw counts keep their order as time passes,
 * so the eviction and candidate heaps never need reordering for time. When scale reaches 2^512
 * everything is multiplied by 2^-512: exact in floating point, so no decayed count changes (except
 * ones below ~1e-154, which flush to zero). Half-lives beyond ~1e15 tokens lose precision in that
 * factor and beyond ~6e15 it rounds to 1, i.e. no decay (as does +Infinity).
 *
 * <p><b>Admission.</b> Unknown words are counted in a bounded {@link CandidateTable}. A candidate
 * whose guaranteed decayed count, rounded to the nearest integer, reaches {@code minCount} is
 * admitted (the rounding is why {@code minCount} occurrences close together suffice although decay
 * leaves them a hair under {@code minCount}). It takes a free slot, or else the slot of the word
 * with the smallest decayed count (ties: lowest slot), but only if its count is larger by {@link
 * #EVICTION_MARGIN}; the evicted word returns to the candidates with its count. Slots {@link #UNK}
 * and {@link #EOS} are reserved and never evicted.
 *
 * <p><b>Determinism.</b> All choices follow total orders on (count, slot) and (count, word), never
 * hash iteration order; {@link #write}/{@link #read} mid-stream and continuing is bit-identical to
 * not stopping. Not thread-safe.
 */
public final class StreamingVocabulary {
  public static final int UNK = 0;
  public static final int EOS = 1;
  public static final String UNK_WORD = "<unk>";

  /**
   * Told about every slot a word is admitted into, so the learner can reset that row's parameters.
   */
  public interface SlotListener {
    void slotAssigned(int slot, boolean reused);
  }

  private static final int MAGIC = 0x53564F43; // "SVOC"
  private static final int VERSION = 1;
  private static final int RESERVED = SlotTable.RESERVED;
  private static final double RENORM_AT = 0x1p512;
  private static final double RENORM_FACTOR = 0x1p-512;
  private static final double ADMIT_SLACK = 0.5; // "rounded to the nearest integer"

  private final int minCount;
  private final double halfLifeTokens;
  private final double growth; // 2^(1/halfLife): scale factor per token

  private final SlotTable slots;
  private final CandidateTable candidates;

  private double scale = 1.0;
  private double totalRaw;
  private long tokens;
  private long admissions;
  private long evictions;
  private SlotListener listener;

  public StreamingVocabulary(
      int capacity, int minCount, double halfLifeTokens, int candidateCapacity) {
    if (capacity < RESERVED + 1) {
      throw new IllegalArgumentException(
          "capacity must be >= 3 (2 reserved slots + 1 word), got " + capacity);
    }
    if (minCount < 1) {
      throw new IllegalArgumentException("minCount must be >= 1, got " + minCount);
    }
    if (!(halfLifeTokens >= 1.0)) {
      throw new IllegalArgumentException(
          "halfLifeTokens must be >= 1 (or +Infinity for no decay), got " + halfLifeTokens);
    }
    if (candidateCapacity < 1) {
      throw new IllegalArgumentException(
          "candidateCapacity must be >= 1, got " + candidateCapacity);
    }
    this.minCount = minCount;
    this.halfLifeTokens = halfLifeTokens;
    this.growth = StrictMath.pow(2.0, 1.0 / halfLifeTokens);
    this.slots = new SlotTable(capacity);
    this.candidates = new CandidateTable(candidateCapacity);
  }

  public void setListener(SlotListener l) {
    this.listener = l;
  }

  /**
   * Counts one occurrence of word (one token of the stream); returns its id, or UNK. If this
   * occurrence makes a candidate qualify, it is admitted now and its new id returned. A null word
   * counts as UNK.
   */
  public int observe(String word) {
    tokens++;
    scale *= growth;
    if (scale >= RENORM_AT) {
      rescale();
    }
    totalRaw += scale;
    int slot = word == null ? UNK : slots.find(word);
    if (slot < 0) {
      slot = admit(candidates.observe(word, scale));
      if (slot != UNK) {
        return slot; // its count came along from the candidate table, this occurrence included
      }
    }
    slots.add(slot, scale);
    return slot;
  }

  /** Lookup only, no counting: the word's id, or UNK if it is not in the vocabulary. */
  public int id(String word) {
    int slot = word == null ? -1 : slots.find(word);
    return slot < 0 ? UNK : slot;
  }

  /** The word in slot id; ids are dense in [0, size()). */
  public String word(int id) {
    return slots.word(checked(id));
  }

  /** Decayed count of the word in slot id (UNK: of all tokens that mapped to UNK). */
  public double count(int id) {
    return slots.count(checked(id)) / scale;
  }

  /**
   * The decayed counts of ids [0, n) into out[0, n): out[i] is {@link #count}(i), the same
   * division, in a loop the JIT can vectorise (the noise model reads every count at each rebuild).
   */
  public void counts(double[] out, int n) {
    if (n < 0 || n > slots.size()) {
      throw new IllegalArgumentException("n " + n + " outside [0, " + slots.size() + "]");
    }
    slots.counts(out, n, scale);
  }

  /** Decayed count of all observed tokens (for subsampling frequencies). */
  public double totalCount() {
    return totalRaw / scale;
  }

  /** Slots in use, including the 2 reserved ones. */
  public int size() {
    return slots.size();
  }

  public int capacity() {
    return slots.capacity();
  }

  public int minCount() {
    return minCount;
  }

  public double halfLifeTokens() {
    return halfLifeTokens;
  }

  /** Words currently counted as candidates (never more than candidateCapacity). */
  public int candidates() {
    return candidates.size();
  }

  public long admissions() {
    return admissions;
  }

  public long evictions() {
    return evictions;
  }

  public long tokensObserved() {
    return tokens;
  }

  /**
   * A candidate replaces the rarest word only when its count exceeds that word's by this factor.
   */
  static final double EVICTION_MARGIN = 1.25;

  /**
   * Admits candidate c if it qualifies and fits; returns its new slot, or UNK if it stays a
   * candidate.
   */
  private int admit(int c) {
    double have = candidates.guaranteed(c);
    if (have < (minCount - ADMIT_SLACK) * scale) {
      return UNK;
    }
    String word = candidates.word(c);
    if (!slots.isFull()) {
      candidates.remove(c);
      int slot = slots.append(word, have);
      admissions++;
      notifyListener(slot, false);
      return slot;
    }
    int victim = slots.leastFrequent();
    double victimCount = slots.count(victim);
    // Hysteresis: a candidate must beat the rarest word by a margin, or two words near the
    // boundary would swap slots (each swap resets the learner's rows) on every occurrence.
    if (!(have > EVICTION_MARGIN * victimCount)) {
      return UNK;
    }
    String evicted = slots.word(victim);
    candidates.remove(c);
    slots.replace(victim, word, have);
    candidates.insert(evicted, victimCount);
    admissions++;
    evictions++;
    notifyListener(victim, true);
    return victim;
  }

  private void notifyListener(int slot, boolean reused) {
    if (listener != null) {
      listener.slotAssigned(slot, reused);
    }
  }

  /** Multiplies scale and every raw count by 2^-512 (exact), keeping all decayed counts. */
  private void rescale() {
    scale *= RENORM_FACTOR;
    totalRaw = scaled(totalRaw, RENORM_FACTOR);
    slots.rescale(RENORM_FACTOR);
    candidates.rescale(RENORM_FACTOR);
  }

  static double scaled(double value, double factor) {
    double v = value * factor;
    return v < Double.MIN_NORMAL ? 0.0 : v;
  }

  private int checked(int id) {
    if (id < 0 || id >= slots.size()) {
      throw new IllegalArgumentException("id " + id + " outside [0, " + slots.size() + ")");
    }
    return id;
  }

  /**
   * Writes the complete state (listener excluded): magic, version, config, counters, slots,
   * candidates.
   */
  public void write(DataOutput out) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(slots.capacity());
    out.writeInt(minCount);
    out.writeDouble(halfLifeTokens);
    out.writeInt(candidates.capacity());
    out.writeDouble(scale);
    out.writeDouble(totalRaw);
    out.writeLong(tokens);
    out.writeLong(admissions);
    out.writeLong(evictions);
    slots.write(out);
    candidates.write(out);
  }

  /**
   * Reads what {@link #write} wrote; wrong magic, unknown version, truncation or corruption:
   * IOException.
   */
  public static StreamingVocabulary read(DataInput in) throws IOException {
    try {
      int magic = in.readInt();
      if (magic != MAGIC) {
        throw new IOException(
            String.format(
                "not a streamvec vocabulary (magic 0x%08x, expected 0x%08x)", magic, MAGIC));
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(
            "unsupported vocabulary format version "
                + version
                + " (this build reads version "
                + VERSION
                + ")");
      }
      StreamingVocabulary v;
      try {
        v = new StreamingVocabulary(in.readInt(), in.readInt(), in.readDouble(), in.readInt());
      } catch (IllegalArgumentException e) {
        throw new IOException("corrupt vocabulary header: " + e.getMessage(), e);
      }
      v.readState(in);
      return v;
    } catch (EOFException e) {
      throw new IOException("truncated vocabulary data", e);
    }
  }

  private void readState(DataInput in) throws IOException {
    scale = DataIO.readCount(in);
    totalRaw = DataIO.readCount(in);
    tokens = in.readLong();
    admissions = in.readLong();
    evictions = in.readLong();
    if (!(scale >= 1.0 && scale < RENORM_AT) || tokens < 0 || admissions < 0 || evictions < 0) {
      throw new IOException("corrupt vocabulary: bad scale or counters");
    }
    slots.read(in);
    candidates.read(in, slots);
  }
}
