package io.streamvec.app.query;

import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.CompactSnapshot;
import io.streamvec.model.query.Drift;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The query side's memory of the model over time: the last N snapshots in compact form ({@link
 * CompactSnapshot}: the M most frequent words, 8-bit unit vectors), the words that entered and left
 * the vocabulary between successive snapshots (the new-words feed), and the top drift scores over
 * the default horizon (for the meters). Memory is bounded by N * M * (n + ~60) bytes plus one
 * word-to-count map of the newest snapshot.
 *
 * <p>{@link #add} runs on the thread that publishes snapshots; readers get immutable copies.
 * Admissions and evictions are seen at snapshot granularity: a word that enters and leaves between
 * two snapshots is not in the feed.
 */
public final class SnapshotHistory {
  /** Drift meters and the default /v1/drift compare the newest snapshot with one this old. */
  public static final long DEFAULT_HORIZON_MS = 3_600_000;

  public static final int FEED_CAPACITY = 1000, TOP_SCORES = 5;

  /** One vocabulary change: a word admitted (with its count then) or evicted (its last count). */
  public record WordEvent(long timeMs, long version, String word, String event, double count) {}

  private final int capacity, maxWords;
  private final double damping;
  private final ArrayDeque<CompactSnapshot> snapshots = new ArrayDeque<>(); // oldest first
  private final ArrayDeque<WordEvent> feed = new ArrayDeque<>(); // newest first
  private Map<String, Float> lastCounts; // words of the newest snapshot
  private long admitted, evicted;
  private int lastAdmitted, lastEvicted;
  private double[] topScores = new double[0];

  public SnapshotHistory(int capacity, int maxWords, double damping) {
    if (capacity < 1 || maxWords < 1 || !(damping >= 0))
      throw new IllegalArgumentException("history needs capacity >= 1, words >= 1, damping >= 0");
    this.capacity = capacity;
    this.maxWords = maxWords;
    this.damping = damping;
  }

  public double damping() {
    return damping;
  }

  /** Remembers s as received at timeMs (a snapshot of an older or equal version is ignored). */
  public void add(ModelSnapshot s, long timeMs) {
    CompactSnapshot c = CompactSnapshot.of(s, timeMs, maxWords);
    Map<String, Float> counts = new HashMap<>(s.size() * 2);
    for (int i = 2; i < s.size(); i++) counts.put(s.word(i), s.count(i));
    synchronized (this) {
      if (!snapshots.isEmpty() && snapshots.peekLast().version >= s.version) return;
      if (lastCounts != null) diffVocabulary(lastCounts, counts, s.version, timeMs);
      lastCounts = counts;
      snapshots.addLast(c);
      while (snapshots.size() > capacity) snapshots.removeFirst();
      CompactSnapshot from = before(c.timeMs - DEFAULT_HORIZON_MS, c);
      List<Drift.Mover> top = from == c ? List.of() : Drift.top(from, c, TOP_SCORES, damping, 0);
      double[] scores = new double[top.size()];
      for (int i = 0; i < scores.length; i++) scores[i] = top.get(i).score();
      topScores = scores;
    }
  }

  private void diffVocabulary(
      Map<String, Float> before, Map<String, Float> now, long version, long timeMs) {
    int in = 0, out = 0;
    for (Map.Entry<String, Float> e : now.entrySet())
      if (!before.containsKey(e.getKey())) {
        event(new WordEvent(timeMs, version, e.getKey(), "admitted", e.getValue()));
        in++;
      }
    for (Map.Entry<String, Float> e : before.entrySet())
      if (!now.containsKey(e.getKey())) {
        event(new WordEvent(timeMs, version, e.getKey(), "evicted", e.getValue()));
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

  /** Retained snapshots, oldest first. */
  public synchronized List<CompactSnapshot> snapshots() {
    return new ArrayList<>(snapshots);
  }

  public synchronized CompactSnapshot newest() {
    return snapshots.peekLast();
  }

  /** The retained snapshot of this version, or null. */
  public synchronized CompactSnapshot version(long version) {
    for (CompactSnapshot c : snapshots) if (c.version == version) return c;
    return null;
  }

  /** The newest retained snapshot taken at or before timeMs, or null if all are newer. */
  public synchronized CompactSnapshot at(long timeMs) {
    CompactSnapshot found = null;
    for (CompactSnapshot c : snapshots) if (c.timeMs <= timeMs) found = c;
    return found;
  }

  /** The newest snapshot taken at or before timeMs, else the oldest retained (never after to). */
  public synchronized CompactSnapshot before(long timeMs, CompactSnapshot to) {
    CompactSnapshot found = at(timeMs);
    return found != null ? found : snapshots.isEmpty() ? to : snapshots.peekFirst();
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
   * before the newest (or the oldest retained) to the newest; NaN while there is no such pair.
   */
  public synchronized double topScore(int rank) {
    return rank >= 1 && rank <= topScores.length ? topScores[rank - 1] : Double.NaN;
  }
}
