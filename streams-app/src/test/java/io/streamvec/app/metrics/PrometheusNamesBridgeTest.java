package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PrometheusNamesBridgeTest {
  final SimpleMeterRegistry source = new SimpleMeterRegistry();
  final PrometheusMeterRegistry target = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final AtomicLong value = new AtomicLong();

  PrometheusNamesBridgeTest() {
    target.config().commonTags("model", "m1");
    new PrometheusNamesBridge(source, target);
  }

  /**
   * Registers a Kafka-style meter in the source, as KafkaMetrics does: dot-named, tagged, value
   * read on demand.
   */
  void kafkaCounter(String name, String description) {
    FunctionCounter.builder(name, value, AtomicLong::get)
        .tags("client.id", "c1")
        .description(description)
        .register(source);
  }

  void kafkaGauge(String name, String description) {
    Gauge.builder(name, value, AtomicLong::get)
        .tags("client.id", "c1")
        .description(description)
        .register(source);
  }

  String sample(String prometheusName) {
    for (String line : target.scrape().split("\n"))
      if (line.startsWith(prometheusName + "{")) return line.substring(line.lastIndexOf(' ') + 1);
    throw new AssertionError(prometheusName + " not in\n" + target.scrape());
  }

  @Test
  void nanosecondAndMillisecondMetersBecomeSecondsWithScaledValues() {
    value.set(2_500_000_000L);
    kafkaCounter(
        "kafka.producer.io.time.ns.total", "The total time the I/O thread spent doing I/O");
    kafkaGauge("kafka.consumer.io.wait.time.ns.avg", "average wait in nanoseconds");
    kafkaGauge("kafka.app.info.start.time.ms", "start time");
    FunctionCounter.builder("process.cpu.time", value, AtomicLong::get)
        .baseUnit("ns")
        .description("cpu time")
        .register(source);
    assertEquals(2.5, Double.parseDouble(sample("kafka_producer_io_time_seconds_total")), 1e-12);
    assertEquals(2.5, Double.parseDouble(sample("kafka_consumer_io_wait_time_avg_seconds")), 1e-12);
    assertEquals(
        2_500_000.0, Double.parseDouble(sample("kafka_app_info_start_time_seconds")), 1e-6);
    assertEquals(2.5, Double.parseDouble(sample("process_cpu_time_seconds_total")), 1e-12);
    value.set(4_000_000_000L); // read at scrape time, not copied at registration
    assertEquals(4.0, Double.parseDouble(sample("kafka_producer_io_time_seconds_total")), 1e-12);
  }

  @Test
  void countAndTotalGaugesAreRenamedAndCountersKeepTheirNames() {
    value.set(3);
    kafkaGauge("kafka.consumer.connection.count", "The current number of active connections.");
    kafkaGauge("kafka.stream.task.active.buffer.count", "buffered records");
    kafkaGauge(
        "kafka.stream.task.cache.size.bytes.total",
        "The total size in bytes of this task's cache.");
    kafkaGauge("kafka.some.future.count", "a gauge nobody has named yet");
    Gauge.builder("system.cpu.count", value, AtomicLong::get)
        .description("processors")
        .register(source);
    kafkaCounter("kafka.stream.thread.process.total", "records processed");
    kafkaGauge("kafka.consumer.fetch.manager.records.lag", "lag");
    for (String name :
        new String[] {
          "kafka_consumer_connections",
          "kafka_stream_task_active_buffer_records",
          "kafka_stream_task_cache_size_bytes",
          "kafka_some_future_number",
          "system_cpus",
          "kafka_stream_thread_process_total",
          "kafka_consumer_fetch_manager_records_lag"
        }) {
      assertEquals(3.0, Double.parseDouble(sample(name)), 0.0, name);
    }
    assertTrue(
        target.scrape().contains("kafka_consumer_connections{client_id=\"c1\",model=\"m1\",} 3.0"),
        "tags kept, common tags added");
  }

  @Test
  void aMeterWithoutDescriptionGetsOne() {
    kafkaGauge("kafka.consumer.node.request.latency.avg", "");
    assertTrue(
        target
            .scrape()
            .contains(
                "# HELP kafka_consumer_node_request_latency_avg kafka.consumer.node.request.latency.avg (its source gives no description)"),
        target.scrape());
  }

  @Test
  void removalFollowsTheSourceAndConflictsDoNotThrow() {
    kafkaGauge("kafka.consumer.fetch.manager.records.lag", "lag");
    Gauge.builder("kafka.consumer.fetch.manager.records.lag", value, AtomicLong::get)
        .tags("client.id", "c1", "topic", "t")
        .description("lag")
        .register(source); // another tag-key set: Prometheus refuses it, the source keeps it
    Meter.Id id =
        source
            .find("kafka.consumer.fetch.manager.records.lag")
            .tags(Tags.of("client.id", "c1"))
            .gauges()
            .stream()
            .filter(g -> g.getId().getTag("topic") == null)
            .findFirst()
            .orElseThrow()
            .getId();
    source.remove(id);
    assertFalse(
        target
            .scrape()
            .contains("kafka_consumer_fetch_manager_records_lag{client_id=\"c1\",model=\"m1\",}"),
        target.scrape());

    // KafkaMetrics learns the common tags by registering and removing a placeholder of type OTHER
    Meter placeholder =
        Meter.builder("delete.this", Meter.Type.OTHER, java.util.List.of()).register(source);
    assertTrue(target.find("delete.this").meters().isEmpty());
    source.remove(placeholder);
  }

  @Test
  @Tag("integration")
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void theBridgedKafkaNamesPassPromtoolWhereTheOriginalsDoNot() throws Exception {
    kafkaCounter(
        "kafka.producer.io.time.ns.total", "The total time the I/O thread spent doing I/O");
    kafkaGauge("kafka.consumer.connection.count", "The current number of active connections.");
    kafkaGauge(
        "kafka.stream.task.cache.size.bytes.total",
        "The total size in bytes of this task's cache.");
    kafkaGauge("kafka.consumer.node.request.latency.avg", "");
    MetricsSetupTest.assertPassesPromtool(target.scrape());

    PrometheusMeterRegistry direct = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    for (Meter m : source.getMeters()) {
      Gauge.builder(m.getId().getName(), value, AtomicLong::get)
          .description(m.getId().getDescription())
          .register(direct);
    }
    Promtool.Result r = Promtool.checkMetrics(direct.scrape());
    assertEquals(
        3,
        r.exitCode(),
        "promtool lints the Kafka names as they come, or the check above proves nothing:\n"
            + r.output());
  }
}
