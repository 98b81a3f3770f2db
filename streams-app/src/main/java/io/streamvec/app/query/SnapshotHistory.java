package io.streamvec.app.query;

import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.CompactSnapshot;
import io.streamvec.model.query.Drift;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The query side's memory of one model over time: the last N snapshots in compact form ({@link
 * CompactSnapshot}: the M most frequent words, 8-bit unit vectors), an index of older ones that can
 * be read back from the history topic ({@link HistoryFollower}), the words that entered and left
 * the vocabulary between successive snapshots (the new-words feed), and the top drift scores over
 * the default horizon (for the meters). Memory is bounded by (N + {@value #LOADED}) * M * (n + ~60)
 * bytes, ~50 bytes per indexed version (at most {@value #INDEX_CAPACITY}), plus the words and
 * counts of the newest snapshot (8 bytes per word).
 *
 * <p>Where snapshots come from: with a history topic the compact snapshots are the ones read from
 * it ({@link #remember}), so every instance, before and after a restart, answers from the same
 * bytes and times; full snapshots ({@link #add}) then feed only the new-words feed. Without one
 * (tests, a bare QueryServer) {@link #add} remembers their compact form as received.
 *
 * <p>Thread-safe: writers and readers synchronize on this; reading a version back from the topic
 * happens outside the lock. Admissions and evictions are seen at snapshot granularity.
 */
public final class SnapshotHistory {
  /** Drift meters and the default /v1/drift compare the newest snapshot with one this old. */
  public static final long DEFAULT_HORIZON_MS = 3_600_000;

  public static final int FEED_CAPACITY = 1000, TOP_SCORES = 5;

  /** Most versions indexed on the history topic per model; the oldest go first. */
  public static final int INDEX_CAPACITY = 100_000;

  /** Snapshots read back from the history topic kept for the next query. */
  static final int LOADED = 4;

  /** One vocabulary change: a word admitted (with its count then) or evicted (its last count). */
  public record WordEvent(long timeMs, long version, String word, String event, double count) {}

  /** Where a version is on the history topic. */
  public record Stored(long version, long timeMs, long tokens, int partition, long offset) {}

  private final int capacity, maxWords;
  private final double damping;
  private final boolean fromTopic;
  private final ArrayDeque<CompactSnapshot> snapshots = new ArrayDeque<>(); // oldest first
  private final ArrayList<Stored> index = new ArrayList<>(); // by version
  private final Map<Long, CompactSnapshot> loaded =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, CompactSnapshot> e) {
          return size() > LOADED;
        }
      };
  private volatile Function<Stored, CompactSnapshot> loader = s -> null;
  private final ArrayDeque<WordEvent> feed = new ArrayDeque<>(); // newest first
  private String[] lastWords; // the newest snapshot's words, by id
  private float[] lastCounts; // and their counts
  private long lastVersion = Long.MIN_VALUE; // of lastWords
  private long admitted, evicted;
  private int lastAdmitted, lastEvicted;
  private long topScoresOf = -1; // the newest version topScores were computed for
  private double[] topScores = new double[0];

  public SnapshotHistory(int capacity, int maxWords, double damping) {
    this(capacity, maxWords, damping, false);
  }

  /** fromTopic: compact snapshots come from the history topic only ({@link #remember}). */
  public SnapshotHistory(int capacity, int maxWords, double damping, boolean fromTopic) {
    if (capacity < 1 || maxWords < 1 || !(damping >= 0))
      throw new IllegalArgumentException("history needs capacity >= 1, words >= 1, damping >= 0");
    this.capacity = capacity;
    this.maxWords = maxWords;
    this.damping = damping;
    this.fromTopic = fromTopic;
  }

  public double damping() {
    return damping;
  }

  /** Reads indexed versions back (null when the topic no longer has them). */
  void readBackWith(Function<Stored, CompactSnapshot> loader) {
    this.loader = loader;
  }

  /** A full snapshot as received at timeMs: the new-words feed, and the ring without a topic. */
  public void add(ModelSnapshot s, long timeMs) {
    String[] words = new String[s.size()];
    float[] counts = new float[s.size()];
    for (int i = 0; i < words.length; i++) {
      words[i] = s.word(i);
      counts[i] = s.count(i);
    }
    synchronized (this) {
      if (s.version <= lastVersion) return; // an older snapshot arriving late
      lastVersion = s.version;
      if (lastWords != null)
        diffVocabulary(lastWords, lastCounts, words, counts, s.version, timeMs);
      lastWords = words;
      lastCounts = counts;
    }
    if (!fromTopic) remember(CompactSnapshot.of(s, timeMs, maxWords), null);
  }

  /**
   * Keeps c among the last N (an older or equal version than the newest is not kept again) and
   * indexes where it is stored (null: nowhere, memory only).
   */
  public synchronized void remember(CompactSnapshot c, Stored where) {
    if (where != null && (index.isEmpty() || index.get(index.size() - 1).version < c.version)) {
      index.add(where);
      if (index.size() > INDEX_CAPACITY) index.remove(0);
    }
    if (!snapshots.isEmpty() && snapshots.peekLast().version >= c.version) return;
    snapshots.addLast(c);
    while (snapshots.size() > capacity) snapshots.removeFirst();
  }

  /** Drops the indexed versions the topic no longer has: offsets below before in partition. */
  public synchronized void forget(int partition, long before) {
    index.removeIf(s -> s.partition() == partition && s.offset() < before);
  }

  /**
   * Words admitted and evicted from (words0, counts0) to (words1, counts1), by word id: only the
   * ids whose word differs are looked at (a word that moved to another id is in both), so the cost
   * is one reference comparison per word plus the changes. Ids 0 and 1 (&lt;unk&gt;, &lt;/s&gt;)
   * never change.
   */
  private void diffVocabulary(
      String[] words0, float[] counts0, String[] words1, float[] counts1, long version, long time) {
    Map<String, Float> before = new HashMap<>(), now = new HashMap<>();
    for (int i = 2; i < Math.max(words0.length, words1.length); i++) {
      String w0 = i < words0.length ? words0[i] : null, w1 = i < words1.length ? words1[i] : null;
      if (w0 != null && w0.equals(w1)) continue;
      if (w0 != null) before.put(w0, counts0[i]);
      if (w1 != null) now.put(w1, counts1[i]);
    }
    int in = 0, out = 0;
    for (Map.Entry<String, Float> e : now.entrySet())
      if (!before.containsKey(e.getKey())) {
        event(new WordEvent(time, version, e.getKey(), "admitted", e.getValue()));
        in++;
      }
    for (Map.Entry<String, Float> e : before.entrySet())
      if (!now.containsKey(e.getKey())) {
        event(new WordEvent(time, version, e.getKey(), "evicted", e.getValue()));
        out++;
      }
    admitted += in;
    evicted += out;
    lastAdmitted = in;
    lastEvicted = out;
  }

  private void event(WordEvent e) {
    feed.addFirst(e);
    if (feed.size() > FEED_CAPACITY) feed.removeLast();
  }

  /** Snapshots kept in memory, oldest first. */
  public synchronized List<CompactSnapshot> snapshots() {
    return new ArrayList<>(snapshots);
  }

  public synchronized int storedCount() {
    return index.size();
  }

  /** Versions indexed on the history topic, oldest first. */
  public synchronized List<Stored> stored() {
    return new ArrayList<>(index);
  }

  public synchronized CompactSnapshot newest() {
    return snapshots.peekLast();
  }

  /** The snapshot of this version, from memory or read back from the topic; or null. */
  public CompactSnapshot version(long version) {
    Stored where;
    synchronized (this) {
      for (CompactSnapshot c : snapshots) if (c.version == version) return c;
      int i = indexOf(version);
      where = i < 0 ? null : index.get(i);
    }
    return load(where);
  }

  /** The newest snapshot taken at or before timeMs, or null if all are newer (or gone). */
  public CompactSnapshot at(long timeMs) {
    Stored where = null;
    synchronized (this) {
      CompactSnapshot found = null;
      for (CompactSnapshot c : snapshots) if (c.timeMs <= timeMs) found = c;
      for (int i = index.size() - 1; i >= 0 && where == null; i--)
        if (index.get(i).timeMs() <= timeMs) where = index.get(i);
      if (found != null && (where == null || where.version() <= found.version)) return found;
    }
    return load(where);
  }

  /** The newest snapshot taken at or before timeMs, else the oldest kept (never after to). */
  public CompactSnapshot before(long timeMs, CompactSnapshot to) {
    CompactSnapshot found = at(timeMs);
    if (found != null) return found;
    Stored oldest;
    synchronized (this) {
      if (snapshots.isEmpty()) return to;
      oldest = index.isEmpty() ? null : index.get(0);
      if (oldest == null || oldest.version() >= snapshots.peekFirst().version)
        return snapshots.peekFirst();
    }
    CompactSnapshot c = load(oldest);
    return c != null ? c : snapshots().get(0);
  }

  private int indexOf(long version) {
    int lo = 0, hi = index.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long v = index.get(mid).version();
      if (v == version) return mid;
      if (v < version) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private CompactSnapshot load(Stored where) {
    if (where == null) return null;
    synchronized (this) {
      CompactSnapshot c = loaded.get(where.version());
      if (c != null) return c;
    }
    CompactSnapshot c = loader.apply(where);
    if (c == null) return null;
    synchronized (this) {
      loaded.put(c.version, c);
    }
    return c;
  }

  /** The latest vocabulary changes, newest first, at most limit. */
  public synchronized List<WordEvent> feed(int limit) {
    List<WordEvent> out = new ArrayList<>(Math.min(limit, feed.size()));
    for (WordEvent e : feed) {
      if (out.size() == limit) break;
      out.add(e);
    }
    return out;
  }

  /** Words admitted and evicted between successive snapshots since the app started. */
  public synchronized long admitted() {
    return admitted;
  }

  public synchronized long evicted() {
    return evicted;
  }

  /** Words admitted between the last two snapshots. */
  public synchronized int lastAdmitted() {
    return lastAdmitted;
  }

  public synchronized int lastEvicted() {
    return lastEvicted;
  }

  /**
   * Drift score of rank r (1 = the word that moved most) from the snapshot DEFAULT_HORIZON_MS
   * before the newest (or the oldest kept) to the newest; NaN while there is no such pair. Computed
   * once per newest version, when first asked.
   */
  public double topScore(int rank) {
    CompactSnapshot to = newest();
    if (to == null) return Double.NaN;
    double[] scores;
    synchronized (this) {
      scores = topScoresOf == to.version ? topScores : null;
    }
    if (scores == null) {
      CompactSnapshot from = before(to.timeMs - DEFAULT_HORIZON_MS, to);
      List<Drift.Mover> top =
          from.version >= to.version ? List.of() : Drift.top(from, to, TOP_SCORES, damping, 0);
      scores = new double[top.size()];
      for (int i = 0; i < scores.length; i++) scores[i] = top.get(i).score();
      synchronized (this) {
        topScores = scores;
        topScoresOf = to.version;
      }
    }
    return rank >= 1 && rank <= scores.length ? scores[rank - 1] : Double.NaN;
  }
}
