package io.streamvec.app.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamvec.app.query.SnapshotHistory;

/**
 * The model over time as meters: the top drift scores ({@value #DRIFT_TOP}, tag rank 1 ..
 * SnapshotHistory.TOP_SCORES, from the snapshot an hour before the newest, or the oldest retained,
 * to the newest) and the vocabulary changes the query side saw between successive snapshots
 * ({@value #WORDS_ADMITTED}, {@value #WORDS_EVICTED}, and the last snapshot's {@value #WORDS_NEW}).
 * Ranks, not words, are tags: the words change with every snapshot.
 */
public final class HistoryMetricsBinder implements MeterBinder {
  public static final String DRIFT_TOP = "streamvec.drift.top.score";
  public static final String WORDS_ADMITTED = "streamvec.history.admitted";
  public static final String WORDS_EVICTED = "streamvec.history.evicted";
  public static final String WORDS_NEW = "streamvec.history.new";
  public static final String RETAINED = "streamvec.history.snapshots";

  private final SnapshotHistory history;

  public HistoryMetricsBinder(SnapshotHistory history) {
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
          .strongReference(true)
          .register(registry);
    }
    FunctionCounter.builder(WORDS_ADMITTED, history, SnapshotHistory::admitted)
        .description("words that entered the vocabulary between successive snapshots")
        .baseUnit("words")
        .register(registry);
    FunctionCounter.builder(WORDS_EVICTED, history, SnapshotHistory::evicted)
        .description("words that left the vocabulary between successive snapshots")
        .baseUnit("words")
        .register(registry);
    Gauge.builder(WORDS_NEW, history, SnapshotHistory::lastAdmitted)
        .description("words new in the newest snapshot (absent from the one before)")
        .baseUnit("words")
        .strongReference(true)
        .register(registry);
    Gauge.builder(RETAINED, history, h -> h.snapshots().size())
        .description("snapshots the query side keeps for drift and time-travel queries")
        .strongReference(true)
        .register(registry);
  }
}
