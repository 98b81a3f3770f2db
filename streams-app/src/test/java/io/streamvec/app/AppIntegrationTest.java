package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.topology.DeadLetter;
import io.streamvec.app.topology.StreamvecTopology;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.WordScore;
import io.streamvec.model.text.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The app in this JVM against a real (in-process) broker: what a user sees on the topics. */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AppIntegrationTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static EmbeddedKafkaBroker kafka;
  private static final List<Path> stateDirs = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (kafka != null) kafka.close();
    for (Path d : stateDirs) TestTexts.deleteTree(d);
  }

  /** A config of its own for each test: topics, application id and state directory. */
  static AppConfig config(String name, Map<String, String> extra) throws Exception {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.putAll(
        Map.of(
            AppKeys.BOOTSTRAP_SERVERS,
            kafka.bootstrapServers(),
            AppKeys.APPLICATION_ID,
            name,
            AppKeys.INPUT_TOPICS,
            name + "-text",
            AppKeys.SNAPSHOTS_TOPIC,
            name + "-snapshots",
            AppKeys.METRICS_TOPIC,
            name + "-metrics",
            AppKeys.DLQ_TOPIC,
            name + "-dlq",
            AppKeys.HTTP_PORT,
            "-1",
            AppKeys.METRICS_INTERVAL_MS,
            "200",
            AppKeys.IDLE_SNAPSHOT_MS,
            "1000",
            AppKeys.STATE_DIR,
            stateDir().toString()));
    m.put(AppKeys.COMMIT_INTERVAL_MS, "200");
    m.putAll(extra);
    return AppConfig.of(m);
  }

  private static Path stateDir() throws Exception {
    Path d = Files.createTempDirectory("streamvec-state-");
    stateDirs.add(d);
    return d;
  }

  private static ModelSnapshot finalSnapshot(AppConfig c, long tokens) {
    return KafkaTestClients.awaitSnapshot(
        kafka.bootstrapServers(), c.get(AppKeys.SNAPSHOTS_TOPIC), s -> s.tokens == tokens, WAIT);
  }

  @Test
  void textInSnapshotOutAndTheNeighboursMakeSense() throws Exception {
    AppConfig c = config("animals", Map.of(AppKeys.HTTP_PORT, "0"));
    List<String> texts = new ArrayList<>();
    for (int epoch = 0; epoch < 6; epoch++)
      texts.addAll(TestTexts.resourceLines("corpus/animals.txt"));
    try (StreamvecApp app = StreamvecApp.start(c)) {
      KafkaTestClients.produce(kafka.bootstrapServers(), c.get(AppKeys.INPUT_TOPICS), texts);
      ModelSnapshot s = finalSnapshot(c, TestTexts.tokenCount(c.model(), texts));
      assertTrue(
          s.sameModelAs(TestTexts.reference(c.model(), texts).snapshot(0)),
          "the broker changes nothing: same model as offline");
      EmbeddingQueries q = new EmbeddingQueries(s);
      assertMostlyIn(
          q.neighbours("tiger", 5),
          Set.of("lion", "leopard", "wolf", "bear", "jaguar", "cheetah", "panther"));
      assertMostlyIn(
          q.neighbours("blue", 5),
          Set.of("red", "green", "yellow", "purple", "orange", "pink", "brown"));
      assertMostlyIn(
          q.neighbours("three", 5), Set.of("two", "four", "five", "six", "seven", "eight", "nine"));
      assertTrue(
          q.similarity("tiger", "lion") > q.similarity("tiger", "blue") + 0.2,
          "tiger~lion "
              + q.similarity("tiger", "lion")
              + " vs tiger~blue "
              + q.similarity("tiger", "blue"));

      // the app's own HTTP API serves the snapshot it published, and /metrics beside it
      JsonNode model = new ObjectMapper().readTree(http(app, "/v1/model"));
      assertEquals(s.tokens, model.get("tokens").asLong());
      assertEquals(s.version, model.get("snapshot_version").asLong());
      JsonNode nb = new ObjectMapper().readTree(http(app, "/v1/neighbours?word=tiger&k=5"));
      assertTrue(
          nb.toString().contains("\"word\":\"" + q.neighbours("tiger", 1).get(0).word() + "\""),
          nb.toString());
      assertTrue(http(app, "/metrics").contains("streamvec_"), "Prometheus metrics are served");
    }
  }

  private static String http(StreamvecApp app, String path) throws Exception {
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + app.httpPort() + path))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return response.body();
  }

  private static void assertMostlyIn(List<WordScore> neighbours, Set<String> kind) {
    long hits = neighbours.stream().filter(w -> kind.contains(w.word())).count();
    assertTrue(hits >= 4, "expected at least 4 of " + kind + " among " + neighbours);
  }

  @Test
  void severalInputPartitionsFeedOneModelWithoutLossOrDuplicates() throws Exception {
    AppConfig c =
        config(
            "partitions",
            Map.of(
                AppKeys.INPUT_PARTITIONS,
                "3",
                AppKeys.CHECKPOINT_INTERVAL_RECORDS,
                "300",
                // keep the repartition topic whole: it is the order the model was trained in
                "kafka.repartition.purge.interval.ms",
                String.valueOf(Duration.ofHours(1).toMillis())));
    List<String> texts = TestTexts.generated(60_000, 17);
    Map<Integer, List<String>> byPartition = new TreeMap<>();
    try (StreamvecApp app = StreamvecApp.start(c);
        KafkaProducer<byte[], byte[]> p = KafkaTestClients.producer(kafka.bootstrapServers())) {
      List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        // keyed records: the default partitioner spreads them over the 3 partitions
        acks.add(
            p.send(
                new ProducerRecord<>(
                    c.get(AppKeys.INPUT_TOPICS),
                    ("k" + i).getBytes(StandardCharsets.UTF_8),
                    texts.get(i).getBytes(StandardCharsets.UTF_8))));
      }
      for (int i = 0; i < texts.size(); i++)
        byPartition
            .computeIfAbsent(acks.get(i).get().partition(), k -> new ArrayList<>())
            .add(tokenLine(c, texts.get(i)));
      ModelSnapshot s = finalSnapshot(c, TestTexts.tokenCount(c.model(), texts));
      assertEquals(
          texts.size(),
          (long) app.status().latest().value("records"),
          "every record trained on once");
      assertEquals(3, byPartition.size(), "the records went to all 3 partitions");

      // the one order the repartition topic fixed: each partition's records in their order,
      // all of them once, and the model is the one trained on exactly that order
      List<String> order = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r :
          KafkaTestClients.read(
              kafka.bootstrapServers(),
              c.get(AppKeys.APPLICATION_ID) + "-" + StreamvecTopology.REPARTITION + "-repartition",
              texts.size(),
              WAIT)) order.add(new String(r.value(), StandardCharsets.UTF_8));
      assertEquals(texts.size(), order.size(), "the repartition topic holds every line once");
      List<String> sent = new ArrayList<>();
      byPartition.values().forEach(sent::addAll);
      assertEquals(sorted(sent), sorted(order), "the same lines as were sent");
      byPartition.forEach(
          (partition, lines) ->
              assertTrue(
                  isSubsequence(lines, order),
                  "partition " + partition + "'s records keep their order"));
      Learner reference = new Learner(c.model());
      for (String line : order) reference.learn(List.of(line.split(" ")));
      assertTrue(
          s.sameModelAs(reference.snapshot(0)),
          "the model is the one trained on the repartition topic's order");
    }
  }

  private static String tokenLine(AppConfig c, String text) {
    return String.join(" ", new Tokenizer(c.model().maxLineChars).tokenize(text));
  }

  private static List<String> sorted(List<String> lines) {
    List<String> copy = new ArrayList<>(lines);
    Collections.sort(copy);
    return copy;
  }

  /** Whether part appears in whole in its order (other elements between allowed). */
  private static boolean isSubsequence(List<String> part, List<String> whole) {
    int i = 0;
    for (String w : whole) if (i < part.size() && part.get(i).equals(w)) i++;
    return i == part.size();
  }

  @Test
  void missingTopicsAreCreatedOnceWithTheirPolicies() throws Exception {
    AppConfig c = config("topics", Map.of(AppKeys.INPUT_PARTITIONS, "3"));
    assertEquals(
        Set.of(
            "topics-text",
            "topics-snapshots",
            "topics-snapshots-history",
            "topics-metrics",
            "topics-dlq"),
        Set.copyOf(TopicSetup.ensure(c)));
    assertEquals(List.of(), TopicSetup.ensure(c), "a second start creates nothing");
    try (var admin = kafka.admin()) {
      assertEquals(
          3,
          admin
              .describeTopics(List.of("topics-text"))
              .allTopicNames()
              .get()
              .get("topics-text")
              .partitions()
              .size());
      var snapshots =
          new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "topics-snapshots");
      var metrics =
          new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "topics-metrics");
      var history =
          new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "topics-snapshots-history");
      var configs = admin.describeConfigs(List.of(snapshots, metrics, history)).all().get();
      assertEquals("compact", configs.get(snapshots).get("cleanup.policy").value());
      assertEquals("delete", configs.get(metrics).get("cleanup.policy").value());
      assertEquals(
          String.valueOf(7L * 24 * 3600 * 1000), configs.get(metrics).get("retention.ms").value());
      assertEquals("delete", configs.get(history).get("cleanup.policy").value());
      assertEquals(
          String.valueOf(7L * 24 * 3600 * 1000), configs.get(history).get("retention.ms").value());
    }
  }

  @Test
  void aThousandHostileRecordsAllLandInTheDlqAndTheModelIsTheCleanOne() throws Exception {
    AppConfig c = config("hostile", Map.of(AppKeys.MAX_RECORD_BYTES, "5000"));
    List<String> clean = new ArrayList<>(TestTexts.resourceLines("corpus/animals.txt"));
    clean.addAll(TestTexts.resourceLines("corpus/animals.txt"));
    Random r = new Random(5);
    List<String> reasons = new ArrayList<>();
    for (String[] kind :
        new String[][] {
          {"invalid-utf8", "250"},
          {"binary", "200"},
          {"too-large", "50"},
          {"empty", "200"},
          {"null-value", "200"},
          {"no-tokens", "100"}
        }) {
      reasons.addAll(Collections.nCopies(Integer.parseInt(kind[1]), kind[0]));
    }
    // one stream: clean lines in order, hostile records at random places between them
    List<String> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < clean.size(); i++) {
      keys.add("clean-" + i);
      values.add(clean.get(i).getBytes(StandardCharsets.UTF_8));
    }
    for (int h = 0; h < reasons.size(); h++) {
      int at = r.nextInt(keys.size() + 1);
      keys.add(at, "hostile-" + h);
      values.add(at, hostile(reasons.get(h), r));
    }
    Map<String, Long> offsets = new HashMap<>();
    try (StreamvecApp app = StreamvecApp.start(c);
        KafkaProducer<byte[], byte[]> p = KafkaTestClients.producer(kafka.bootstrapServers())) {
      List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++)
        acks.add(
            p.send(
                new ProducerRecord<>(
                    c.get(AppKeys.INPUT_TOPICS),
                    keys.get(i).getBytes(StandardCharsets.UTF_8),
                    values.get(i))));
      for (int i = 0; i < keys.size(); i++) offsets.put(keys.get(i), acks.get(i).get().offset());

      ModelSnapshot s = finalSnapshot(c, TestTexts.tokenCount(c.model(), clean));
      assertTrue(
          s.sameModelAs(TestTexts.reference(c.model(), clean).snapshot(0)),
          "the model is the one of the clean records alone");
      List<ConsumerRecord<byte[], byte[]>> dlq =
          KafkaTestClients.read(kafka.bootstrapServers(), c.get(AppKeys.DLQ_TOPIC), 1000, WAIT);
      assertEquals(1000, dlq.size(), "every hostile record is in the DLQ, once");
      Map<String, Integer> valueIndex = new HashMap<>();
      for (int i = 0; i < keys.size(); i++) valueIndex.put(keys.get(i), i);
      for (ConsumerRecord<byte[], byte[]> d : dlq) {
        String key = new String(d.key(), StandardCharsets.UTF_8);
        assertTrue(key.startsWith("hostile-"), key);
        int h = Integer.parseInt(key.substring("hostile-".length()));
        assertEquals(reasons.get(h), DeadLetter.header(d.headers(), DeadLetter.REASON), key);
        assertEquals(
            c.get(AppKeys.INPUT_TOPICS), DeadLetter.header(d.headers(), DeadLetter.SOURCE_TOPIC));
        assertEquals(
            String.valueOf(offsets.get(key)),
            DeadLetter.header(d.headers(), DeadLetter.SOURCE_OFFSET),
            key);
        assertArrayEquals(values.get(valueIndex.get(key)), d.value(), key + ": the original bytes");
      }
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state(), "the app is still up");
      assertEquals(1000, app.status().deadLettered());
    }
  }

  /** A record value the app must refuse for the given reason. */
  private static byte[] hostile(String reason, Random r) {
    switch (reason) {
      case "invalid-utf8":
        {
          byte[] b = ("the wolf " + r.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
          byte[] out = java.util.Arrays.copyOf(b, b.length + 2);
          out[b.length] = (byte) (0x80 + r.nextInt(0x40)); // a continuation byte with no lead byte
          out[b.length + 1] = 'x';
          return out;
        }
      case "binary":
        {
          byte[] b = new byte[20 + r.nextInt(200)];
          for (int i = 0; i < b.length; i++)
            b[i] = (byte) r.nextInt(32); // NULs and control bytes: valid UTF-8, not text
          return b;
        }
      case "too-large":
        return "the lion sleeps tonight "
            .repeat(250)
            .getBytes(StandardCharsets.UTF_8); // 6,000 bytes
      case "empty":
        return new byte[0];
      case "null-value":
        return null;
      case "no-tokens":
        return "!!! --- ??? ... *** ".repeat(1 + r.nextInt(5)).getBytes(StandardCharsets.UTF_8);
      default:
        throw new IllegalArgumentException(reason);
    }
  }

  @Test
  void aBrokerRestartMidRunLosesAndRepeatsNothing() throws Exception {
    AppConfig c = config("restart", Map.of(AppKeys.CHECKPOINT_INTERVAL_RECORDS, "500"));
    List<String> texts = TestTexts.generated(200_000, 11);
    int firstPart = texts.size() * 3 / 4;
    try (StreamvecApp app = StreamvecApp.start(c)) {
      KafkaTestClients.produce(
          kafka.bootstrapServers(), c.get(AppKeys.INPUT_TOPICS), texts.subList(0, firstPart));
      Await.await(
          "training past 20,000 tokens before the restart",
          () -> app.status().latest().value("tokens") > 20_000,
          WAIT);
      double before = app.status().latest().value("tokens");
      kafka.restart(); // under a running app, most likely mid-transaction
      KafkaTestClients.produce(
          kafka.bootstrapServers(),
          c.get(AppKeys.INPUT_TOPICS),
          texts.subList(firstPart, texts.size()));
      ModelSnapshot s = finalSnapshot(c, TestTexts.tokenCount(c.model(), texts));
      assertTrue(before > 20_000, "training had started before the restart: " + before);
      assertTrue(
          s.sameModelAs(TestTexts.reference(c.model(), texts).snapshot(0)),
          "the same model as without the restart");
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
    }
  }
}
