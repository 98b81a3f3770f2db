package io.streamvec.app.status;

import io.streamvec.app.topology.DeadLetter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shared, thread-safe view of the running app for the HTTP API and the meters: the latest {@link
 * TrainingReport} of each model this instance trains (written by the training tasks; {@link
 * #latest()} is model.id's) and dead-letter counts by reason (written by the validating processors,
 * which run on other tasks; every reason of {@link DeadLetter#REASONS} from the start).
 */
public final class TrainingStatus {
  private final String modelId;
  private final AtomicReference<TrainingReport> latest = new AtomicReference<>();
  private final Map<String, TrainingReport> byModel = new ConcurrentSkipListMap<>();
  private final Map<String, LongAdder> dlqByReason = new ConcurrentHashMap<>();

  public TrainingStatus(String modelId) {
    this.modelId = modelId;
    latest.set(new TrainingReport(modelId, System.currentTimeMillis(), Map.of()));
    // every known reason counts from 0, so a dashboard shows 0 (not "no data") before the first
    for (String reason : DeadLetter.REASONS) dlqByReason.put(reason, new LongAdder());
  }

  public String modelId() {
    return modelId;
  }

  public TrainingReport latest() {
    return latest.get();
  }

  /** The latest report of model, or null if this instance has not reported it. */
  public TrainingReport latest(String model) {
    return byModel.get(model);
  }

  /** Live, sorted map of model -> latest report, for every model this instance has reported. */
  public Map<String, TrainingReport> models() {
    return java.util.Collections.unmodifiableMap(byModel);
  }

  public void publish(TrainingReport r) {
    byModel.put(r.modelId(), r);
    if (r.modelId().equals(modelId)) latest.set(r);
  }

  public void deadLettered(String reason) {
    dlqByReason.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  public long deadLettered() {
    return dlqByReason.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Live map of reason -> count (meters read it). */
  public Map<String, LongAdder> deadLetteredByReason() {
    return dlqByReason;
  }
}
