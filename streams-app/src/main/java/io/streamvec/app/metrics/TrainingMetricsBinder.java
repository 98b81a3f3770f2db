package io.streamvec.app.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamvec.app.status.TrainingReport;
import io.streamvec.app.status.TrainingStatus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The trainer's health as meters: one per {@link TrainingReport#FIELDS} entry, read from the latest
 * report of a {@link TrainingStatus}, so the meters and the metrics topic come from the same
 * numbers. A field {@code vocab_size} (unit words) becomes the meter {@code streamvec.vocab.size}
 * (Prometheus: {@code streamvec_vocab_size_words}); COUNTER fields are function counters ({@code
 * streamvec_tokens_total}), GAUGE fields gauges. A value not known yet reads NaN.
 *
 * <p>Every training meter carries the tag {@code model}: model.id's from the start, each other
 * model this instance trains from the {@link #refresh()} after its first report (a model that moved
 * to another instance keeps its last values here).
 *
 * <p>Dead letters by reason: {@value #DLQ_BY_REASON} with a {@code reason} tag, one counter per
 * reason: every known reason from the start (at 0, so a panel shows 0 rather than no data), and
 * {@link #refresh()} (called before each scrape) registers any other reason first seen since the
 * last call.
 */
public final class TrainingMetricsBinder implements MeterBinder {
  public static final String PREFIX = "streamvec.";

  /**
   * Counter of dead-lettered input records per reason (Prometheus:
   * streamvec_dlq_records_by_reason_total).
   */
  public static final String DLQ_BY_REASON = "streamvec.dlq.records.by.reason";

  private final TrainingStatus status;
  private final Set<String> boundReasons = ConcurrentHashMap.newKeySet();
  private final Set<String> boundModels = ConcurrentHashMap.newKeySet();
  private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();

  public TrainingMetricsBinder(TrainingStatus status) {
    this.status = status;
  }

  /**
   * Prometheus lint ({@code promtool check metrics}) wants base units in names: "sec" is an
   * abbreviation and "bits" reads as a data size. These fields keep their JSON names on the metrics
   * topic and get Prometheus-clean meter names; their descriptions carry the unit.
   */
  static final Map<String, String> PROMETHEUS_NAMES =
      Map.of(
          "tokens_per_sec", "tokens.per.second",
          "cross_entropy_bits", "cross.entropy",
          "window_cross_entropy_bits", "window.cross.entropy",
          "recent_cross_entropy_bits", "recent.cross.entropy",
          "recent_calibration_bits", "recent.calibration");

  /**
   * The Micrometer name of a report field: streamvec. + the field name with '_' as '.' (or its
   * entry in PROMETHEUS_NAMES).
   */
  public static String meterName(TrainingReport.Field f) {
    return PREFIX + PROMETHEUS_NAMES.getOrDefault(f.name(), f.name().replace('_', '.'));
  }

  /**
   * The Micrometer base unit of a field (Prometheus appends it to the name unless the name ends
   * with it), null where the name already says it all: perplexity and the learning rate have none,
   * a rate is no base unit, and bits are named in the description.
   */
  public static String baseUnit(TrainingReport.Field f) {
    String u = f.unit();
    return u == null || u.isEmpty() || u.contains("/") || u.equals("bits") ? null : u;
  }

  /** The field's description with its unit where the name and base unit do not show it. */
  static String description(TrainingReport.Field f) {
    if (f.unit().equals("bits")) return f.description() + " (bits per token)";
    if (f.unit().contains("/")) return f.description() + " (" + f.unit() + ")";
    return f.description();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    bindModel(registry, status.modelId(), s -> s.latest());
    registries.add(registry);
    for (String reason : boundReasons) bindReason(registry, reason);
    for (String model : boundModels) bindModel(registry, model, s -> s.latest(model));
    refresh();
  }

  private void bindModel(
      MeterRegistry registry, String model, Function<TrainingStatus, TrainingReport> report) {
    for (TrainingReport.Field f : TrainingReport.FIELDS) {
      String name = f.name();
      ToDoubleFunction<TrainingStatus> value =
          s -> {
            TrainingReport r = report.apply(s);
            return r == null ? Double.NaN : r.value(name);
          };
      if (f.kind() == TrainingReport.Kind.COUNTER) {
        FunctionCounter.builder(meterName(f), status, value)
            .description(description(f))
            .baseUnit(baseUnit(f))
            .tag("model", model)
            .register(registry);
      } else {
        Gauge.builder(meterName(f), status, value)
            .description(description(f))
            .baseUnit(baseUnit(f))
            .tag("model", model)
            .strongReference(true)
            .register(registry);
      }
    }
  }

  /**
   * Registers the meters of every model and a {@value #DLQ_BY_REASON} counter for every reason
   * first seen since the last call.
   */
  public void refresh() {
    for (String model : status.models().keySet())
      if (!model.equals(status.modelId()) && boundModels.add(model))
        for (MeterRegistry r : registries) bindModel(r, model, s -> s.latest(model));
    for (Map.Entry<String, LongAdder> e : status.deadLetteredByReason().entrySet()) {
      if (boundReasons.add(e.getKey()))
        for (MeterRegistry r : registries) bindReason(r, e.getKey());
    }
  }

  private void bindReason(MeterRegistry registry, String reason) {
    LongAdder count = status.deadLetteredByReason().get(reason);
    if (count == null) return;
    FunctionCounter.builder(DLQ_BY_REASON, count, LongAdder::sum)
        .description(
            "input records sent to the dead-letter topic by this instance since it started, by reason")
        .tag("reason", reason)
        .register(registry);
  }
}
