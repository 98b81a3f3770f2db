package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotAssembler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several models in one topology: routed by topic and by key, each trained exactly as if it were
 * alone (compared with an offline learner over its own lines, with its own hyper-parameters), an
 * unknown key and an unadmitted model in the DLQ, and one model's bad config stopping only that
 * model. (The upgrade from one model's stores: TrainingProcessorRestoreTest, as the driver wipes
 * its state when it closes.)
 */
class ManyModelsTopologyTest {
  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private AppConfig config;
  private final TrainingStatus status = new TrainingStatus("default");
  private final Map<String, List<ModelSnapshot>> heard = new TreeMap<>();
  private final Map<String, SnapshotAssembler> assemblers = new TreeMap<>();
  private final Map<String, ModelSnapshot> latest = new TreeMap<>();

  private void start(Map<String, String> overrides) {
    Map<String, String> m = new HashMap<>(Map.of(AppKeys.LEARNER_QUEUE_TOKENS, "0"));
    m.putAll(overrides);
    config = TopologyDrivers.smallModel(m);
    driver =
        TopologyDrivers.start(
            config,
            stateDir,
            status,
            (model, s) -> heard.computeIfAbsent(model, k -> new ArrayList<>()).add(s));
  }

  @AfterEach
  void close() {
    if (driver != null) driver.close();
  }

  private TestInputTopic<byte[], byte[]> topic(String name) {
    return TopologyDrivers.input(driver, name);
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /** The records on the topic of key so far, with the model name as the key. */
  private List<TestRecord<String, byte[]>> out(String key) {
    return TopologyDrivers.output(driver, config.get(key), new StringDeserializer())
        .readRecordsToList();
  }

  /** Lets the input go idle (each model publishes), then reads every snapshot by model. */
  private Map<String, ModelSnapshot> idleSnapshots() {
    driver.advanceWallClockTime(Duration.ofMillis(config.getLong(AppKeys.IDLE_SNAPSHOT_MS) + 1));
    driver.advanceWallClockTime(Duration.ofMillis(TrainerSettings.from(config).tickMs()));
    for (var r : out(AppKeys.SNAPSHOTS_TOPIC)) {
      String model = r.key().substring(0, r.key().indexOf('/'));
      assemblers
          .computeIfAbsent(model, k -> new SnapshotAssembler())
          .accept(r.value())
          .ifPresent(s -> latest.put(model, s));
    }
    return latest;
  }

  private List<TestRecord<byte[], byte[]>> dlq() {
    return TopologyDrivers.output(
            driver, config.get(AppKeys.DLQ_TOPIC), new ByteArrayDeserializer())
        .readRecordsToList();
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    return DeadLetter.header(r.headers(), name);
  }

  private void assertTrainedAlone(String model, ModelConfig mc, List<String> lines) {
    ModelSnapshot s = latest.get(model);
    assertTrue(s != null, "model " + model + " published a snapshot: " + latest.keySet());
    assertTrue(
        s.sameModelAs(TestTexts.reference(mc, lines).snapshot(0)),
        model + " is the model trained alone on its own lines, bit for bit");
    assertEquals(mc, s.config, model + " has its own hyper-parameters");
    assertTrue(heard.get(model).get(heard.get(model).size() - 1).sameModelAs(s));
  }

  @Test
  void modelsByTopicTrainSideBySideEachAsIfAlone() throws Exception {
    start(
        Map.of(
            AppKeys.MODELS,
            "news,code",
            "model.news.topics",
            "news-en,news-fr",
            "model.code.topics",
            "code",
            "model.code.dim",
            "12",
            "model.code.seed",
            "11",
            AppKeys.MODEL_PARTITIONS,
            "2"));
    List<String> texts = TestTexts.generated(6000, 3);
    Map<String, List<String>> byModel = new LinkedHashMap<>();
    String[] topics = {"news-en", "code", "text", "news-fr"};
    String[] models = {"news", "code", "default", "news"};
    for (int i = 0; i < texts.size(); i++) {
      int t = i % topics.length;
      topic(topics[t]).pipeInput(utf8("k" + i), utf8(texts.get(i)));
      byModel.computeIfAbsent(models[t], k -> new ArrayList<>()).add(texts.get(i));
    }
    idleSnapshots();
    assertEquals(List.of("code", "default", "news"), List.copyOf(latest.keySet()));
    for (String model : byModel.keySet())
      assertTrainedAlone(model, config.models().modelConfig(model), byModel.get(model));
    assertEquals(12, latest.get("code").dim());
    assertEquals(config.model(), latest.get("news").config, "no override: the model keys");
    assertTrue(dlq().isEmpty());
    // one metrics record per model and interval, keyed by the model, naming it
    driver.advanceWallClockTime(Duration.ofMillis(config.getLong(AppKeys.METRICS_INTERVAL_MS)));
    Map<String, Double> tokens = new TreeMap<>();
    for (var r : out(AppKeys.METRICS_TOPIC)) {
      var json = new ObjectMapper().readTree(r.value());
      assertEquals(r.key(), json.get("model_id").asText());
      tokens.put(r.key(), json.get("tokens").asDouble());
    }
    for (String model : byModel.keySet())
      assertEquals(
          (double) TestTexts.tokenCount(config.model(), byModel.get(model)), tokens.get(model));
    assertEquals(
        (double) TestTexts.tokenCount(config.model(), byModel.get("news")),
        status.latest("news").value("tokens"));
  }

  @Test
  void modelsByKeyShareATopicAndAnUnknownKeyGoesToTheDlq() {
    start(
        Map.of(
            AppKeys.MODEL_ROUTING,
            "key",
            AppKeys.MODELS,
            "t1,t2,t3,t4,t5",
            "model.t3.dim",
            "8",
            AppKeys.MODEL_PARTITIONS,
            "3"));
    List<String> texts = TestTexts.generated(5000, 5);
    Map<String, List<String>> byModel = new TreeMap<>();
    TestInputTopic<byte[], byte[]> text = topic("text");
    int unknown = 0;
    for (int i = 0; i < texts.size(); i++) {
      String key = i % 13 == 12 ? "nobody" : "t" + (1 + (i * 7 % 5));
      text.pipeInput(utf8(key), utf8(texts.get(i)));
      if (key.equals("nobody")) unknown++;
      else byModel.computeIfAbsent(key, k -> new ArrayList<>()).add(texts.get(i));
    }
    text.pipeInput(utf8(null), utf8("a line without a key"));
    idleSnapshots();
    assertEquals(byModel.keySet(), latest.keySet());
    for (String model : byModel.keySet())
      assertTrainedAlone(model, config.models().modelConfig(model), byModel.get(model));
    List<TestRecord<byte[], byte[]>> dead = dlq();
    assertEquals(unknown + 1, dead.size());
    for (var r : dead) {
      assertEquals(DeadLetter.UNKNOWN_MODEL, header(r, DeadLetter.REASON));
      assertEquals("text", header(r, DeadLetter.SOURCE_TOPIC));
      assertTrue(header(r, DeadLetter.DETAIL).contains("t1,t2"), header(r, DeadLetter.DETAIL));
    }
    assertEquals("nobody", new String(dead.get(0).key(), StandardCharsets.UTF_8));
    assertEquals(texts.get(12), new String(dead.get(0).value(), StandardCharsets.UTF_8));
    assertEquals(dead.size(), status.deadLetteredByReason().get(DeadLetter.UNKNOWN_MODEL).sum());
  }

  @Test
  void newModelsAreAdmittedOnFirstSightUpToModelsMax() {
    start(
        Map.of(
            AppKeys.MODEL_ROUTING, "key",
            AppKeys.MODELS_ADMIT, "true",
            AppKeys.MODELS_MAX, "3"));
    List<String> texts = TestTexts.generated(3000, 9);
    Map<String, List<String>> byModel = new TreeMap<>();
    TestInputTopic<byte[], byte[]> text = topic("text");
    String[] keys = {"alpha", "beta", "gamma", "delta", "bad/name"};
    for (int i = 0; i < texts.size(); i++) {
      String key = keys[i % keys.length];
      text.pipeInput(utf8(key), utf8(texts.get(i)));
      byModel.computeIfAbsent(key, k -> new ArrayList<>()).add(texts.get(i));
    }
    idleSnapshots();
    assertEquals(List.of("alpha", "beta", "gamma"), List.copyOf(latest.keySet()));
    for (String model : latest.keySet())
      assertTrainedAlone(model, config.model(), byModel.get(model));
    Map<String, Integer> reasons = new TreeMap<>();
    for (var r : dlq()) {
      String reason = header(r, DeadLetter.REASON);
      reasons.merge(reason, 1, Integer::sum);
      String key = new String(r.key(), StandardCharsets.UTF_8);
      assertEquals(reason.equals(DeadLetter.MODELS_MAX) ? "delta" : "bad/name", key);
    }
    assertEquals(
        Map.of(
            DeadLetter.MODELS_MAX, byModel.get("delta").size(),
            DeadLetter.UNKNOWN_MODEL, byModel.get("bad/name").size()),
        reasons);
  }

  @Test
  void oneModelsBadConfigStopsOnlyThatModel() {
    start(
        Map.of(
            AppKeys.MODELS,
            "good,broken",
            "model.good.topics",
            "good",
            "model.broken.topics",
            "broken",
            "model.broken.dim",
            "-3"));
    List<String> texts = TestTexts.generated(2000, 13);
    List<String> good = new ArrayList<>();
    int broken = 0;
    for (int i = 0; i < texts.size(); i++) {
      boolean toGood = i % 2 == 0;
      topic(toGood ? "good" : "broken").pipeInput(utf8("k"), utf8(texts.get(i)));
      if (toGood) good.add(texts.get(i));
      else broken++;
    }
    idleSnapshots();
    assertEquals(List.of("good"), List.copyOf(latest.keySet()));
    assertTrainedAlone("good", config.model(), good);
    List<TestRecord<byte[], byte[]>> dead = dlq();
    assertEquals(broken, dead.size());
    for (var r : dead) {
      assertEquals(DeadLetter.MODEL_FAILED, header(r, DeadLetter.REASON));
      assertTrue(header(r, DeadLetter.DETAIL).contains("dim"), header(r, DeadLetter.DETAIL));
    }
  }
}
