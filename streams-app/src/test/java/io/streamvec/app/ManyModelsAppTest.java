package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ModelsConfig;
import io.streamvec.app.snapshots.KafkaSnapshotReader;
import io.streamvec.app.testing.Await;
import io.streamvec.app.topology.DeadLetter;
import io.streamvec.app.topology.StateCheck;
import io.streamvec.model.ModelSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many models in one app, in a JVM of its own on a real broker: models routed by topic (after the
 * same application trained one model: that model continues from its stores) and by record key over
 * several partitions of the model topic, each bit-identical to the model trained alone on its own
 * lines with its own hyper-parameters; a key naming no model lands in the dead-letter topic.
 */
@Tag("integration")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ManyModelsAppTest extends AppJvmFixture {
  private static final Duration WAIT = Duration.ofSeconds(120);

  private Map<String, String> settings(Map<String, String> more) {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    m.put(AppKeys.STATE_DIR, stateDir.toString());
    m.put(AppKeys.HTTP_PORT, "-1");
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1000");
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, "300");
    m.putAll(more);
    return m;
  }

  /** Sends (key, text) records in order and waits for every ack. */
  private void produce(String topic, List<String[]> keyedTexts) {
    try (KafkaProducer<byte[], byte[]> p = KafkaTestClients.producer(kafka.bootstrapServers())) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (String[] kt : keyedTexts)
        acks.add(
            p.send(
                new ProducerRecord<>(
                    topic,
                    kt[0] == null ? null : kt[0].getBytes(StandardCharsets.UTF_8),
                    kt[1].getBytes(StandardCharsets.UTF_8))));
      for (var a : acks) a.get();
    } catch (Exception e) {
      throw new IllegalStateException("producing to " + topic + " failed", e);
    }
  }

  private static List<String[]> unkeyed(List<String> texts) {
    List<String[]> out = new ArrayList<>();
    for (String t : texts) out.add(new String[] {null, t});
    return out;
  }

  /**
   * Waits until the snapshots topic holds, for every model, the model trained alone on its lines
   * (with its own hyper-parameters), and checks it bit for bit.
   */
  private void assertEachTrainedAlone(AppConfig config, Map<String, List<String>> byModel) {
    ModelsConfig models = config.models();
    Map<String, ModelSnapshot> expected = new TreeMap<>();
    byModel.forEach(
        (m, lines) ->
            expected.put(m, TestTexts.reference(models.modelConfig(m), lines).snapshot(0)));
    Map<String, ModelSnapshot> found = new TreeMap<>();
    try (KafkaSnapshotReader reader =
        KafkaSnapshotReader.allModels(
            config.kafkaClientProperties(), config.get(AppKeys.SNAPSHOTS_TOPIC))) {
      Await.await(
          () -> {
            Map<String, Long> tokens = new TreeMap<>();
            found.forEach((m, s) -> tokens.put(m, s.tokens));
            return "every model's final snapshot; tokens so far "
                + tokens
                + "; app log:\n"
                + app.logTail(3000);
          },
          () -> {
            assertTrue(app.isAlive(), "the app stopped: " + app.logTail(4000));
            found.putAll(reader.readAll(Duration.ofSeconds(10)));
            return expected.keySet().stream()
                .allMatch(
                    m -> found.containsKey(m) && found.get(m).tokens == expected.get(m).tokens);
          },
          WAIT);
    }
    for (String m : expected.keySet())
      assertTrue(
          found.get(m).sameModelAs(expected.get(m)),
          m + " is the model trained alone on its own lines, bit for bit");
    assertEquals(expected.keySet(), found.keySet(), "no other model was published");
  }

  @Test
  void aOneModelAppGoesOnTrainingItsModelBesideModelsRoutedByTopic() throws Exception {
    List<String> text = TestTexts.generated(12_000, 61);
    List<String> first = text.subList(0, text.size() / 2);
    List<String> rest = text.subList(text.size() / 2, text.size());
    List<String> news = TestTexts.generated(9_000, 62);
    List<String> code = TestTexts.generated(6_000, 63);
    Map<String, String> one = settings(Map.of());
    startApp(one, "384m", List.of());
    produce("text", unkeyed(first));
    assertEachTrainedAlone(AppConfig.of(one), Map.of("default", first));
    app.terminate(Duration.ofSeconds(60)); // fails unless it stops on SIGTERM within 60 s

    Map<String, String> many =
        settings(
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
                "5"));
    for (String topic : List.of("news-en", "news-fr", "code"))
      kafka.createTopic(topic, 1, Map.of());
    startApp(many, "384m", List.of());
    // news-fr stays empty: two topics of one model interleave in an order the test cannot know
    // in advance (that mapping is checked by ManyModelsTopologyTest)
    produce("text", unkeyed(rest));
    produce("news-en", unkeyed(news));
    produce("code", unkeyed(code));
    assertEachTrainedAlone(AppConfig.of(many), Map.of("default", text, "news", news, "code", code));
    assertTrue(
        KafkaTestClients.read(kafka.bootstrapServers(), "dlq", 0, Duration.ofSeconds(1)).isEmpty());
  }

  @Test
  void manyModelsByKeyOnOneTopicEachAsIfAloneAndAnUnknownKeyInTheDlq() throws Exception {
    int n = 6;
    List<String> text = TestTexts.generated(30_000, 71);
    Map<String, List<String>> byModel = new TreeMap<>();
    List<String[]> records = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (int i = 0; i < text.size(); i++) {
      String key = i % 50 == 49 ? "nobody" : "tenant-" + (i * 7 % n);
      records.add(new String[] {key, text.get(i)});
      if (key.equals("nobody")) unknown.add(text.get(i));
      else byModel.computeIfAbsent(key, k -> new ArrayList<>()).add(text.get(i));
    }
    StringBuilder names = new StringBuilder();
    for (int t = 0; t < n; t++) names.append(t == 0 ? "" : ",").append("tenant-").append(t);
    Map<String, String> many =
        settings(
            Map.of(
                AppKeys.MODEL_ROUTING,
                "key",
                AppKeys.MODELS,
                names.toString(),
                AppKeys.MODEL_PARTITIONS,
                "3",
                "model.tenant-2.dim",
                "8"));
    startApp(many, "384m", List.of());
    produce("text", records);
    assertEachTrainedAlone(AppConfig.of(many), byModel);
    List<ConsumerRecord<byte[], byte[]>> dead =
        KafkaTestClients.read(kafka.bootstrapServers(), "dlq", unknown.size(), WAIT);
    assertEquals(unknown.size(), dead.size());
    for (int i = 0; i < dead.size(); i++) {
      ConsumerRecord<byte[], byte[]> r = dead.get(i);
      assertEquals("nobody", new String(r.key(), StandardCharsets.UTF_8));
      assertEquals(unknown.get(i), new String(r.value(), StandardCharsets.UTF_8));
      assertEquals(DeadLetter.UNKNOWN_MODEL, DeadLetter.header(r.headers(), DeadLetter.REASON));
    }
    // --check-state restores every model from the changelogs, wherever its partition is
    app.kill();
    StateCheck.Report check = StateCheck.run(AppConfig.of(many));
    String report = String.join("\n", check.lines());
    assertTrue(check.ok(), report);
    for (String model : byModel.keySet())
      assertTrue(report.contains("model '" + model + "':"), model + " in\n" + report);
    // and model.id, which no key named: nothing stored, a restart starts it new
    assertEquals(
        byModel.size() + 1, report.split("OK: a restart continues", -1).length - 1, report);
  }
}
