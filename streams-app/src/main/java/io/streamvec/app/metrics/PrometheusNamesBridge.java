package io.streamvec.app.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the meters of binders whose names we do not choose (the Kafka clients' metrics via
 * KafkaStreamsMetrics, Micrometer's ProcessorMetrics) from their own registry into the Prometheus
 * registry under names {@code promtool check metrics} accepts, following every meter the source
 * adds or removes. The Kafka names say nanoseconds and milliseconds ({@code io-time-ns-total},
 * {@code start-time-ms}) and call gauges counts or totals; a MeterFilter can rename a meter but not
 * rescale its value, and renaming in the registry KafkaMetrics itself uses would break its removal
 * of metrics that went away.
 *
 * <p>The rules, each the Prometheus naming convention:
 *
 * <ul>
 *   <li>a time in ns, us or ms (a name token or the base unit) becomes seconds, value scaled:
 *       {@code kafka.producer.io.time.ns.total} to {@code kafka_producer_io_time_seconds_total},
 *       {@code process.cpu.time} (ns) to {@code process_cpu_time_seconds_total};
 *   <li>a trailing {@code total} is the registry's to add, and only to counters: {@code
 *       kafka.stream.task.cache.size.bytes.total} (a gauge) to {@code
 *       kafka_stream_task_cache_size_bytes};
 *   <li>a gauge named {@code ...count} is a current number of things: {@code connection.count} to
 *       {@code connections} (see {@link #COUNT_GAUGES});
 *   <li>a meter without a description gets one naming where it comes from.
 * </ul>
 *
 * Tags are kept; the target registry adds its common tags.
 */
final class PrometheusNamesBridge {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusNamesBridge.class);

  /** Seconds per unit of the time units found in third-party names or base units. */
  static final Map<String, Double> TIME_UNITS =
      Map.of(
          "ns",
          1e-9,
          "nanoseconds",
          1e-9,
          "us",
          1e-6,
          "microseconds",
          1e-6,
          "ms",
          1e-3,
          "milliseconds",
          1e-3);

  /**
   * Gauges named "... count", by name ending, and what they count; any other becomes "... number".
   */
  static final Map<String, String> COUNT_GAUGES =
      Map.of(
          "connection.count", "connections", // Kafka clients: open connections
          "active.buffer.count",
              "active.buffer.records", // Kafka Streams task: records polled, not yet processed
          "system.cpu.count", "system.cpus"); // Micrometer ProcessorMetrics: processors available

  /**
   * A source meter's Prometheus-clean name, base unit and description, and the factor its value is
   * multiplied by.
   */
  record Renamed(String name, String baseUnit, double scale, String description) {}

  private final MeterRegistry target;
  private final Map<Meter.Id, Meter> mirrors =
      new ConcurrentHashMap<>(); // source id -> meter in target

  /** Mirrors every Gauge and FunctionCounter registered in source from now on into target. */
  PrometheusNamesBridge(MeterRegistry source, MeterRegistry target) {
    this.target = target;
    source.config().onMeterAdded(this::added).onMeterRemoved(this::removed);
  }

  static Renamed rename(Meter.Id id) {
    List<String> tokens = new ArrayList<>(Arrays.asList(id.getName().split("\\.")));
    String unit = id.getBaseUnit();
    double scale = 1;
    for (int i = tokens.size() - 1; i >= 0 && scale == 1; i--) {
      Double s = TIME_UNITS.get(tokens.get(i));
      if (s != null) {
        scale = s;
        tokens.remove(i);
        unit = "seconds";
      }
    }
    if (scale == 1 && unit != null && TIME_UNITS.containsKey(unit)) {
      scale = TIME_UNITS.get(unit);
      unit = "seconds";
    }
    if (tokens.size() > 1 && tokens.get(tokens.size() - 1).equals("total"))
      tokens.remove(tokens.size() - 1);
    String name = String.join(".", tokens);
    if (id.getType() == Meter.Type.GAUGE && name.endsWith(".count")) {
      String renamed = null;
      for (Map.Entry<String, String> e : COUNT_GAUGES.entrySet()) {
        if (name.equals(e.getKey()) || name.endsWith("." + e.getKey()))
          renamed = name.substring(0, name.length() - e.getKey().length()) + e.getValue();
      }
      name =
          renamed != null
              ? renamed
              : name.substring(0, name.length() - "count".length()) + "number";
    }
    String description = id.getDescription();
    if (description == null || description.isBlank())
      description = id.getName() + " (its source gives no description)";
    return new Renamed(name, unit, scale, description);
  }

  private void added(Meter m) {
    Renamed t = rename(m.getId());
    try {
      Meter mirror;
      if (m instanceof FunctionCounter c) {
        mirror =
            FunctionCounter.builder(t.name(), c, x -> x.count() * t.scale())
                .tags(m.getId().getTagsAsIterable())
                .baseUnit(t.baseUnit())
                .description(t.description())
                .register(target);
      } else if (m instanceof Gauge g) {
        mirror =
            Gauge.builder(t.name(), g, x -> x.value() * t.scale())
                .strongReference(true)
                .tags(m.getId().getTagsAsIterable())
                .baseUnit(t.baseUnit())
                .description(t.description())
                .register(target);
      } else {
        return; // KafkaMetrics registers and at once removes a placeholder meter to learn the
        // common tags
      }
      mirrors.put(m.getId(), mirror);
    } catch (RuntimeException e) {
      // e.g. Prometheus' rule that one name has one set of tag keys (Kafka sometimes reports
      // a metric with and without a topic tag): the source tidies up on its next refresh
      LOG.debug("not exporting {} as {}: {}", m.getId(), t.name(), e.toString());
    }
  }

  private void removed(Meter m) {
    Meter mirror = mirrors.remove(m.getId());
    if (mirror != null) target.remove(mirror);
  }
}
