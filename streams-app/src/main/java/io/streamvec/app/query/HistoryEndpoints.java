package io.streamvec.app.query;

import io.streamvec.model.query.CompactSnapshot;
import io.streamvec.model.query.Drift;
import io.streamvec.model.query.WordScore;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query API over time, answered from a {@link SnapshotHistory}:
 *
 * <pre>
 * GET /v1/drift?from=V1&amp;to=V2&amp;k=50&amp;neighbours=5   words that moved most (versions or times)
 * GET /v1/neighbours?word=W&amp;version=V | &amp;at=TIME     neighbours in an older snapshot
 * GET /v1/snapshots                                  the versions kept in memory and on the topic
 * GET /v1/words/new?limit=100                        admissions and evictions, newest first
 * </pre>
 *
 * A version is a whole number below 10^11; larger numbers are epoch milliseconds, anything else an
 * ISO-8601 instant (2026-12-01T22:00:00Z). Without from, drift compares with the snapshot an hour
 * before to (or the oldest kept); without to, with the newest. Versions older than those kept in
 * memory are read back from the history topic.
 */
final class HistoryEndpoints {
  static final long MAX_VERSION = 100_000_000_000L;
  static final int MAX_NEIGHBOURS = 20, MAX_FEED = SnapshotHistory.FEED_CAPACITY;

  private final SnapshotHistory history;

  HistoryEndpoints(SnapshotHistory history) {
    this.history = history;
  }

  Object drift(QueryParams p) {
    CompactSnapshot newest = newest();
    String toArg = p.optional("to"), fromArg = p.optional("from");
    CompactSnapshot to = toArg == null ? newest : find("to", toArg);
    CompactSnapshot from =
        fromArg == null
            ? history.before(to.timeMs - SnapshotHistory.DEFAULT_HORIZON_MS, to)
            : find("from", fromArg);
    int k = p.integer("k", 1, QueryServer.MAX_K, 50);
    int n = p.integer("neighbours", 0, MAX_NEIGHBOURS, 5);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", describe(from));
    out.put("to", describe(to));
    out.put("k", k);
    out.put("damping_count", history.damping());
    List<Map<String, Object>> movers = new ArrayList<>();
    if (from.version < to.version) {
      for (Drift.Mover m : Drift.top(from, to, k, history.damping(), n)) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("word", m.word());
        e.put("score", (float) m.score());
        e.put("cosine", (float) m.cosine());
        e.put("count_from", (float) m.countFrom());
        e.put("count_to", (float) m.countTo());
        e.put("neighbours_from", scores(m.neighboursFrom()));
        e.put("neighbours_to", scores(m.neighboursTo()));
        movers.add(e);
      }
    } else {
      out.put(
          "note",
          from.version == to.version
              ? "from and to are the same snapshot: nothing to compare yet"
              : "from is newer than to");
    }
    out.put("movers", movers);
    return out;
  }

  /** /v1/neighbours with version= or at=: the answer of an older snapshot. */
  Object neighboursThen(QueryParams p) {
    String word = p.text("word", QueryServer.MAX_WORD_CHARS);
    int k = p.integer("k", 1, QueryServer.MAX_K, QueryServer.DEFAULT_K);
    String version = p.optional("version"), at = p.optional("at");
    if (version != null && at != null)
      throw ApiException.badRequest("give version or at, not both");
    CompactSnapshot c = version != null ? find("version", version) : find("at", at);
    int row = c.row(word);
    if (row < 0) row = c.row(word.toLowerCase(Locale.ROOT));
    if (row < 0)
      throw new ApiException(
          404,
          "unknown word '"
              + word
              + "' in snapshot version "
              + c.version
              + ": not among its "
              + c.size()
              + " most frequent words, which the history keeps (history.words)");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("snapshot_version", c.version);
    out.put("snapshot_time", Instant.ofEpochMilli(c.timeMs).toString());
    out.put("word", c.word(row));
    out.put("k", k);
    out.put("neighbours", scores(c.neighbours(row, k)));
    return out;
  }

  Object snapshots(QueryParams p) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (CompactSnapshot c : history.snapshots()) list.add(describe(c));
    List<Map<String, Object>> stored = new ArrayList<>();
    for (SnapshotHistory.Stored s : history.stored()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", s.version());
      m.put("tokens", s.tokens());
      m.put("time", Instant.ofEpochMilli(s.timeMs()).toString());
      m.put("time_ms", s.timeMs());
      stored.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("snapshots", list);
    out.put("history_topic", stored);
    return out;
  }

  Object feed(QueryParams p) {
    int limit = p.integer("limit", 1, MAX_FEED, 100);
    List<Map<String, Object>> events = new ArrayList<>();
    for (SnapshotHistory.WordEvent e : history.feed(limit)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("time", Instant.ofEpochMilli(e.timeMs()).toString());
      m.put("version", e.version());
      m.put("word", e.word());
      m.put("event", e.event());
      m.put("count", (float) e.count());
      events.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("admitted", history.admitted());
    out.put("evicted", history.evicted());
    out.put("events", events);
    return out;
  }

  private CompactSnapshot newest() {
    CompactSnapshot c = history.newest();
    if (c == null)
      throw new ApiException(
          503,
          "no history of this model yet: its snapshots reach the history (history.topic) a moment"
              + " after they are committed; a model trained by an app that writes no history topic,"
              + " or another one, has none here");
    return c;
  }

  /** The retained snapshot a from/to/version/at argument names; 404 when it is not retained. */
  private CompactSnapshot find(String name, String arg) {
    CompactSnapshot found;
    String what;
    long n = -1;
    try {
      n = Long.parseLong(arg.strip());
    } catch (NumberFormatException e) {
      // not a number: an instant
    }
    if (n >= 0 && n < MAX_VERSION && !name.equals("at")) {
      found = history.version(n);
      what = "version " + n;
    } else {
      long ms = n >= 0 ? n : parseInstant(name, arg);
      found = history.at(ms);
      what = "a snapshot taken at or before " + Instant.ofEpochMilli(ms);
    }
    if (found != null) return found;
    List<CompactSnapshot> all = history.snapshots();
    List<SnapshotHistory.Stored> stored = history.stored();
    throw new ApiException(
        404,
        "parameter '"
            + name
            + "': "
            + what
            + " is not kept; the query side keeps the last "
            + all.size()
            + " snapshots in memory"
            + (all.isEmpty()
                ? ""
                : ", versions "
                    + all.get(0).version
                    + ".."
                    + all.get(all.size() - 1).version
                    + " since "
                    + Instant.ofEpochMilli(all.get(0).timeMs))
            + " (history.snapshots), and reads "
            + stored.size()
            + " versions back from the history topic"
            + (stored.isEmpty()
                ? ""
                : " since "
                    + Instant.ofEpochMilli(stored.get(0).timeMs())
                    + " (history.retention.ms; older ones the topic's retention deleted)")
            + "; see /v1/snapshots");
  }

  private static long parseInstant(String name, String arg) {
    try {
      return Instant.parse(arg.strip()).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          "parameter '"
              + name
              + "' must be a snapshot version, epoch milliseconds or an ISO-8601 instant like 2026-12-01T22:00:00Z");
    }
  }

  private static Map<String, Object> describe(CompactSnapshot c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", c.version);
    m.put("tokens", c.tokens);
    m.put("time", Instant.ofEpochMilli(c.timeMs).toString());
    m.put("time_ms", c.timeMs);
    m.put("words", c.size());
    return m;
  }

  private static List<Map<String, Object>> scores(List<WordScore> list) {
    List<Map<String, Object>> out = new ArrayList<>(list.size());
    for (WordScore w : list) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("word", w.word());
      e.put("similarity", (float) w.score());
      out.add(e);
    }
    return out;
  }
}
