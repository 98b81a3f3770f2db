package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.streamvec.app.status.TrainingReport;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.app.topology.DeadLetter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainingMetricsBinderTest {
  final TrainingStatus status = new TrainingStatus("m1");

  /**
   * A report where field i has the value 10 * (i + 1) + 0.5, so every meter reads a different
   * number.
   */
  static TrainingReport distinctReport() {
    return distinctReport("m1");
  }

  static TrainingReport distinctReport(String model) {
    Map<String, Double> v = new HashMap<>();
    for (int i = 0; i < TrainingReport.FIELDS.size(); i++)
      v.put(TrainingReport.FIELDS.get(i).name(), 10.0 * (i + 1) + 0.5);
    return new TrainingReport(model, 1L, v);
  }

  @Test
  void oneMeterPerFieldOfTheRightKindWithDescriptionAndUnit() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new TrainingMetricsBinder(status).bindTo(registry);
    Set<String> names = new HashSet<>();
    for (TrainingReport.Field f : TrainingReport.FIELDS) {
      String name = TrainingMetricsBinder.meterName(f);
      assertTrue(names.add(name), "two fields map to " + name);
      assertTrue(name.startsWith("streamvec.") && !name.contains("_"), name);
      Meter m = registry.find(name).meter();
      assertNotNull(m, "no meter for field " + f.name());
      assertEquals(
          f.kind() == TrainingReport.Kind.COUNTER ? Meter.Type.COUNTER : Meter.Type.GAUGE,
          m.getId().getType(),
          f.name());
      assertTrue(m.getId().getDescription().startsWith(f.description()), f.name());
      assertEquals(TrainingMetricsBinder.baseUnit(f), m.getId().getBaseUnit(), f.name());
    }
    assertEquals(
        TrainingReport.FIELDS.size() + DeadLetter.REASONS.size(),
        registry.getMeters().size(),
        "one meter per field, and one per dead-letter reason");
  }

  @Test
  void metersReadTheLatestReportAndNaNBeforeTheFirst() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new TrainingMetricsBinder(status).bindTo(registry);
    assertTrue(Double.isNaN(registry.get("streamvec.perplexity").gauge().value()));
    assertTrue(Double.isNaN(registry.get("streamvec.tokens").functionCounter().count()));
    status.publish(distinctReport());
    for (int i = 0; i < TrainingReport.FIELDS.size(); i++) {
      TrainingReport.Field f = TrainingReport.FIELDS.get(i);
      Meter m = registry.get(TrainingMetricsBinder.meterName(f)).meter();
      double value = m instanceof Gauge g ? g.value() : ((FunctionCounter) m).count();
      assertEquals(10.0 * (i + 1) + 0.5, value, 0.0, f.name());
    }
    status.publish(new TrainingReport("m1", 2L, Map.of("tokens", 1e12, "perplexity", 123.25)));
    assertEquals(1e12, registry.get("streamvec.tokens").functionCounter().count(), 0.0);
    assertEquals(123.25, registry.get("streamvec.perplexity").gauge().value(), 0.0);
    assertTrue(
        Double.isNaN(registry.get("streamvec.vocab.size").gauge().value()),
        "a field missing from the report is unknown");
  }

  @Test
  void deadLettersByReasonCountFromZeroAndNewReasonsAppearOnRefresh() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TrainingMetricsBinder binder = new TrainingMetricsBinder(status);
    status.deadLettered("too-large");
    binder.bindTo(registry);
    for (String reason : DeadLetter.REASONS)
      assertEquals(reason.equals("too-large") ? 1.0 : 0.0, dlqCount(registry, reason), 0.0, reason);
    status.deadLettered("invalid-utf8");
    status.deadLettered("invalid-utf8");
    assertEquals(2.0, dlqCount(registry, "invalid-utf8"), 0.0, "counts live");
    status.deadLettered("from-a-newer-validator");
    assertNull(
        registry
            .find(TrainingMetricsBinder.DLQ_BY_REASON)
            .tag("reason", "from-a-newer-validator")
            .meter(),
        "not before refresh");
    binder.refresh();
    assertEquals(1.0, dlqCount(registry, "from-a-newer-validator"), 0.0);
    status.deadLettered("too-large");
    binder.refresh(); // idempotent for known reasons
    assertEquals(2.0, dlqCount(registry, "too-large"), 0.0);
    assertEquals(
        DeadLetter.REASONS.size() + 1,
        registry.find(TrainingMetricsBinder.DLQ_BY_REASON).meters().size());
  }

  private static double dlqCount(SimpleMeterRegistry registry, String reason) {
    return registry
        .get(TrainingMetricsBinder.DLQ_BY_REASON)
        .tag("reason", reason)
        .functionCounter()
        .count();
  }

  @Test
  void everyModelGetsItsOwnMetersTaggedWithItsName() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TrainingMetricsBinder binder = new TrainingMetricsBinder(status);
    binder.bindTo(registry);
    status.publish(new TrainingReport("m1", 1L, Map.of("tokens", 5.0)));
    status.publish(new TrainingReport("news", 1L, Map.of("tokens", 7.0)));
    assertNull(registry.find("streamvec.tokens").tag("model", "news").functionCounter());
    binder.refresh(); // before each scrape
    assertEquals(
        5.0, registry.get("streamvec.tokens").tag("model", "m1").functionCounter().count());
    assertEquals(
        7.0, registry.get("streamvec.tokens").tag("model", "news").functionCounter().count());
    status.publish(new TrainingReport("news", 2L, Map.of("tokens", 9.0)));
    assertEquals(
        9.0, registry.get("streamvec.tokens").tag("model", "news").functionCounter().count());
  }

  @Test
  void prometheusNamesCarryUnitsAndTotals() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new TrainingMetricsBinder(status).bindTo(registry);
    status.publish(distinctReport());
    String scrape = registry.scrape();
    for (String name :
        new String[] {
          "streamvec_tokens_total",
          "streamvec_records_total",
          "streamvec_dlq_records_total",
          "streamvec_tokens_per_second",
          "streamvec_cross_entropy",
          "streamvec_window_perplexity",
          "streamvec_recent_perplexity",
          "streamvec_recent_exact_perplexity",
          "streamvec_recent_cross_entropy",
          "streamvec_recent_calibration",
          "streamvec_recent_top1_ratio",
          "streamvec_recent_scored_tokens",
          "streamvec_top5_ratio",
          "streamvec_vocab_size_words",
          "streamvec_admissions_words_total",
          "streamvec_evictions_words_total",
          "streamvec_learning_rate",
          "streamvec_snapshot_version",
          "streamvec_snapshot_bytes",
          "streamvec_snapshot_seconds",
          "streamvec_checkpoint_seconds",
          "streamvec_replayed_records"
        }) {
      assertTrue(
          java.util.regex.Pattern.compile("(?m)^" + name + "\\{model=\"m1\",} \\d")
              .matcher(scrape)
              .find(),
          name + " missing from\n" + scrape);
    }
    assertTrue(scrape.contains("# TYPE streamvec_tokens_total counter"));
    assertTrue(scrape.contains("# TYPE streamvec_perplexity gauge"));
    assertTrue(
        scrape.contains(
            "# HELP streamvec_cross_entropy prequential cross-entropy since the start (bits per token)"));
  }
}
