package io.streamvec.app.metrics;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.query.QueryServer;
import io.streamvec.app.status.TrainingReport;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotCodec;
import io.streamvec.model.text.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A small but real streamvec-shaped app for the metrics tests: a real broker, a Kafka Streams
 * client (exactly-once, like the app) that dead-letters invalid UTF-8 and trains a real
 * {@link Learner} on the rest, publishing a {@link TrainingReport} and a snapshot to the query
 * server every few records, with {@link MetricsSetup} mounted on the query server's port. It
 * stands in for the real topology so the dashboards can be checked against every name the
 * exporters produce; the lead's end-to-end run checks the same queries against the real app.
 */
final class MiniTrainingApp implements AutoCloseable {
  static final String TEXT = "text", DLQ = "dlq";
  static final int REPORT_EVERY = 20;

  final EmbeddedKafkaBroker broker;
  final AppConfig config;
  final TrainingStatus status;
  final KafkaStreams streams;
  final MetricsSetup metrics;
  final QueryServer server;
  private final Path stateDir;

  MiniTrainingApp() throws Exception {
    broker = EmbeddedKafkaBroker.start();
    broker.createTopic(TEXT, 2, Map.of());
    broker.createTopic(DLQ, 1, Map.of());
    config = AppConfig.of(Map.of("bootstrap.servers", broker.bootstrapServers(), "application.id", "streamvec-metrics-test",
        "model.id", "mini", "http.port", "0", "dim", "16", "min-count", "1", "vocab-size", "500"));
    status = new TrainingStatus(config.get("model.id"));
    stateDir = Files.createTempDirectory("streamvec-metrics-state-");
    server = new QueryServer("127.0.0.1", 0, () -> String.valueOf(streamsOrNull().state()));
    streams = new KafkaStreams(topology(), streamsProperties());
    metrics = MetricsSetup.create(config, status, streams, "127.0.0.1:" + server.port(), Duration.ofSeconds(1));
    metrics.mount(server.httpServer());
    streams.start();
  }

  private KafkaStreams streamsOrNull() { return streams; }

  private Properties streamsProperties() {
    Properties p = config.kafkaClientProperties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.get("application.id"));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    return p;
  }

  private org.apache.kafka.streams.Topology topology() {
    StreamsBuilder b = new StreamsBuilder();
    KStream<byte[], byte[]> in = b.stream(TEXT, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()));
    in.filter((k, v) -> !isText(v)).peek((k, v) -> status.deadLettered("invalid-utf8")).to(DLQ, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    in.filter((k, v) -> isText(v)).process(() -> new Trainer());
    return b.build();
  }

  static boolean isText(byte[] v) {
    if (v == null) return false;
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(v));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Trains on every record; every REPORT_EVERY records publishes a report and a snapshot. */
  private final class Trainer implements Processor<byte[], byte[], Void, Void> {
    final Learner learner = new Learner(config.model());
    final Tokenizer tokenizer = new Tokenizer(config.model().maxLineChars);
    long records, version, lastNanos = System.nanoTime(), lastTokens;

    @Override
    public void process(Record<byte[], byte[]> r) {
      learner.learn(tokenizer.tokenize(new String(r.value(), StandardCharsets.UTF_8)));
      if (++records % REPORT_EVERY != 0) return;
      long t0 = System.nanoTime();
      ModelSnapshot s = learner.snapshot(++version);
      byte[] bytes = SnapshotCodec.encode(s);
      server.update(s);
      long now = System.nanoTime();
      Map<String, Double> v = new HashMap<>(learner.stats());
      v.put("records", (double) records);
      v.put("tokens_per_sec", (learner.tokens() - lastTokens) / ((now - lastNanos) / 1e9));
      v.put("snapshot_version", (double) version);
      v.put("snapshot_bytes", (double) bytes.length);
      v.put("snapshot_seconds", (now - t0) / 1e9);
      v.put("checkpoint_seconds", 0.0);
      v.put("replayed_records", 0.0);
      v.put("dlq_records", (double) status.deadLettered());
      lastNanos = now;
      lastTokens = learner.tokens();
      status.publish(new TrainingReport(status.modelId(), System.currentTimeMillis(), v));
    }
  }

  /** Sends lines (and a few invalid UTF-8 records) to the input topic. */
  void produce(List<String> lines, int invalid) {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String line : lines) producer.send(new ProducerRecord<>(TEXT, line.getBytes(StandardCharsets.UTF_8)));
      for (int i = 0; i < invalid; i++) producer.send(new ProducerRecord<>(TEXT, new byte[] {(byte) 0xC3, 0x28, (byte) i}));
      producer.flush();
    }
  }

  @Override
  public void close() throws Exception {
    try (broker) {
      server.close();
      streams.close(Duration.ofSeconds(20));
      metrics.close();
    } finally {
      try (var paths = Files.walk(stateDir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
