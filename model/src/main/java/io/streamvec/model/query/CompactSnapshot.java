package io.streamvec.model.query;

import io.streamvec.model.ModelSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;

/**
 * What an old snapshot keeps for drift and time-travel queries, in bounded memory: the M most
 * frequent words (never &lt;unk&gt; or &lt;/s&gt;) with their decayed counts and their unit word
 * vectors quantised to 8 bits per number (one scale per row), about M * (n + 40) bytes instead of V
 * * (d + H + 1) * 4. Shapes: M kept words, n word-vector size. The quantisation error of a cosine
 * is about 1e-3, far below the movements drift reports.
 *
 * <p>Immutable and thread-safe.
 */
public final class CompactSnapshot {
  public final long version;
  public final long tokens;
  public final long timeMs; // when the snapshot was taken or received
  private final String[] words; // (M) most frequent first
  private final float[] counts; // (M)
  private final byte[] vectors; // (M, n) round(u / scale)
  private final float[] scales; // (M) per-row scale: u ~ vectors * scale
  private final float[] norms; // (M) length of the dequantised row (0 for a zero vector)
  private final int n;
  private final Map<String, Integer> index;

  private CompactSnapshot(ModelSnapshot s, long timeMs, int maxWords) {
    this.version = s.version;
    this.tokens = s.tokens;
    this.timeMs = timeMs;
    int v = s.size();
    // the M most frequent words: sort the ids by count, highest first (ties: lower id first)
    List<Integer> ids = new ArrayList<>(Math.max(0, v - 2));
    for (int i = 2; i < v; i++) ids.add(i);
    ids.sort((a, b) -> a.equals(b) ? 0 : Float.compare(s.count(b), s.count(a)));
    int m = Math.min(maxWords, ids.size());
    FMatrixRMaj u = s.wordVectors();
    n = u.numCols;
    words = new String[m];
    counts = new float[m];
    vectors = new byte[m * n];
    scales = new float[m];
    norms = new float[m];
    index = new HashMap<>(m * 2);
    for (int r = 0; r < m; r++) {
      int id = ids.get(r);
      words[r] = s.word(id);
      counts[r] = s.count(id);
      index.put(words[r], r);
      // q = round(127 u / max|u|): the row's direction, 8 bits per number
      float max = 0;
      for (int j = 0; j < n; j++) max = Math.max(max, Math.abs(u.data[id * n + j]));
      if (max == 0) continue;
      scales[r] = max / 127f;
      double norm = 0;
      for (int j = 0; j < n; j++) {
        byte q = (byte) Math.round(u.data[id * n + j] / scales[r]);
        vectors[r * n + j] = q;
        norm += (double) q * q;
      }
      norms[r] = (float) (Math.sqrt(norm) * scales[r]);
    }
  }

  /** A compact snapshot read back ({@link CompactSnapshotFormat}); the arrays are kept as given. */
  CompactSnapshot(
      long version,
      long tokens,
      long timeMs,
      String[] words,
      float[] counts,
      byte[] vectors,
      float[] scales,
      int n) {
    this.version = version;
    this.tokens = tokens;
    this.timeMs = timeMs;
    this.words = words;
    this.counts = counts;
    this.vectors = vectors;
    this.scales = scales;
    this.n = n;
    int m = words.length;
    norms = new float[m];
    index = new HashMap<>(m * 2);
    for (int r = 0; r < m; r++) {
      index.put(words[r], r);
      double norm = 0;
      for (int j = 0; j < n; j++) norm += (double) vectors[r * n + j] * vectors[r * n + j];
      norms[r] = (float) (Math.sqrt(norm) * scales[r]);
    }
  }

  /** The compact form of s (its M = maxWords most frequent words), stamped with timeMs. */
  public static CompactSnapshot of(ModelSnapshot s, long timeMs, int maxWords) {
    if (maxWords < 1) throw new IllegalArgumentException("maxWords must be >= 1, got " + maxWords);
    return new CompactSnapshot(s, timeMs, maxWords);
  }

  public int size() {
    return words.length;
  }

  public String word(int r) {
    return words[r];
  }

  public float count(int r) {
    return counts[r];
  }

  /** Row of word, or -1 when it is not among the kept words. */
  public int row(String word) {
    Integer r = index.get(word);
    return r == null ? -1 : r;
  }

  /** Length n of each kept word vector. */
  public int vectorSize() {
    return n;
  }

  float scale(int r) {
    return scales[r];
  }

  /** Quantised entry j of row r: u[r][j] ~ q * scale(r). */
  byte quantised(int r, int j) {
    return vectors[r * n + j];
  }

  /** Bytes held by the vectors and per-row numbers (the words' strings not counted). */
  public long vectorBytes() {
    return vectors.length + 12L * words.length;
  }

  /** cos(u_a, u_b), a here and b in o (the same space: snapshots of one trained model). */
  public double cosine(int a, CompactSnapshot o, int b) {
    if (norms[a] == 0 || o.norms[b] == 0 || o.n != n) return 0;
    long dot = 0;
    for (int j = 0; j < n; j++) dot += vectors[a * n + j] * o.vectors[b * n + j];
    return dot * (double) scales[a] * o.scales[b] / ((double) norms[a] * o.norms[b]);
  }

  /** The k kept words closest to row r by cosine, best first, without r itself. */
  public List<WordScore> neighbours(int r, int k) {
    TopK heap = new TopK(k);
    for (int i = 0; i < words.length; i++) if (i != r) heap.offer(i, (float) cosine(r, this, i));
    int size = heap.size();
    int[] ids = new int[size];
    float[] best = new float[size];
    heap.drainBestFirst(ids, best);
    List<WordScore> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) out.add(new WordScore(words[ids[i]], best[i]));
    return out;
  }
}
