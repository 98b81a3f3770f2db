package io.streamvec.app.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamvec.app.query.SnapshotHistory;

/**
 * One model over time as meters, tagged with its name (model): the top drift scores ({@value
 * #DRIFT_TOP}, tag rank 1 .. SnapshotHistory.TOP_SCORES, from the snapshot an hour before the
 * newest, or the oldest retained, to the newest) and the vocabulary changes the query side saw
 * between successive snapshots ({@value #WORDS_ADMITTED}, {@value #WORDS_EVICTED}, and the last
 * snapshot's {@value #WORDS_NEW}). Ranks, not words, are tags: the words change with every
 * snapshot; so a model has a fixed number of series, whatever its vocabulary.
 */
public final class HistoryMetricsBinder implements MeterBinder {
  public static final String DRIFT_TOP = "streamvec.drift.top.score";
  public static final String WORDS_ADMITTED = "streamvec.history.admitted";
  public static final String WORDS_EVICTED = "streamvec.history.evicted";
  public static final String WORDS_NEW = "streamvec.history.new";
  public static final String RETAINED = "streamvec.history.snapshots";
  public static final String INDEXED = "streamvec.history.indexed";

  private final String model;
  private final SnapshotHistory history;

  public HistoryMetricsBinder(String model, SnapshotHistory history) {
    this.model = model;
    this.history = history;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (int rank = 1; rank <= SnapshotHistory.TOP_SCORES; rank++) {
      int r = rank;
      Gauge.builder(DRIFT_TOP, history, h -> h.topScore(r))
          .description(
              "damped drift score of the word ranked r (1 = moved most) between the snapshot an hour before the newest (or the oldest kept) and the newest")
          .tag("rank", Integer.toString(rank))
          .tag("model", model)
          .strongReference(true)
          .register(registry);
    }
    FunctionCounter.builder(WORDS_ADMITTED, history, SnapshotHistory::admitted)
        .description("words that entered the vocabulary between successive snapshots")
        .baseUnit("words")
        .tag("model", model)
        .register(registry);
    FunctionCounter.builder(WORDS_EVICTED, history, SnapshotHistory::evicted)
        .description("words that left the vocabulary between successive snapshots")
        .baseUnit("words")
        .tag("model", model)
        .register(registry);
    Gauge.builder(WORDS_NEW, history, SnapshotHistory::lastAdmitted)
        .description("words new in the newest snapshot (absent from the one before)")
        .baseUnit("words")
        .tag("model", model)
        .strongReference(true)
        .register(registry);
    Gauge.builder(RETAINED, history, h -> h.snapshots().size())
        .description("snapshots the query side keeps in memory for drift and time-travel queries")
        .tag("model", model)
        .strongReference(true)
        .register(registry);
    Gauge.builder(INDEXED, history, SnapshotHistory::storedCount)
        .description("snapshot versions the query side can read back from the history topic")
        .tag("model", model)
        .strongReference(true)
        .register(registry);
  }
}
