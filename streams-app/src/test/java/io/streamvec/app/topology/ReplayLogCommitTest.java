package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.status.TrainingStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The replay log's promise, read where a restore after a crash reads it, the changelog topics:
 * after the commit that follows a record, its line is in the log. The open batch reaches the store
 * only when Kafka Streams flushes the caches before that commit ({@link DeferredPutStore}), so this
 * also pins that Kafka Streams still calls that flush on the outermost store. Both places a model's
 * log can live: the single model's own store, and the store the other models share.
 */
class ReplayLogCommitTest {
  @org.junit.jupiter.api.io.TempDir Path stateDir;
  private TopologyTestDriver driver;

  @AfterEach
  void close() {
    if (driver != null) driver.close();
  }

  @ParameterizedTest(name = "models: {0}")
  @ValueSource(strings = {"", "m1,m2"})
  void everyLineIsInTheChangelogOnceItsRecordIsCommitted(String models) {
    Map<String, String> m = new HashMap<>();
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, "1000000000"); // no checkpoint cuts the log here
    m.put(AppKeys.CHECKPOINT_INTERVAL_TOKENS, "1000000000");
    if (!models.isEmpty()) {
      m.put(AppKeys.MODEL_ROUTING, "key");
      m.put(AppKeys.MODELS, models);
    }
    AppConfig config = TopologyDrivers.smallModel(m);
    String app = config.get(AppKeys.APPLICATION_ID);
    driver =
        TopologyDrivers.start(config, stateDir, new TrainingStatus("default"), (model, s) -> {});
    TestInputTopic<byte[], byte[]> input =
        TopologyDrivers.input(driver, config.getList(AppKeys.INPUT_TOPICS).get(0));
    // one model: its own store; several: the store they share, "<model>/l/<first, 19 digits>"
    Changelog log =
        new Changelog(
            models.isEmpty()
                ? changelog(app, StreamvecTopology.REPLAY_STORE, new LongDeserializer())
                : changelog(app, StreamvecTopology.MODELS_STORE, new StringDeserializer()));
    Function<Object, Long> first = models.isEmpty() ? k -> (Long) k : batchOf("m1/l/"),
        second = batchOf("m2/l/");
    List<String> sent1 = new ArrayList<>(), sent2 = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // lowercase words and single spaces: the token line is the text and a sentence end
      StringBuilder line = new StringBuilder("w" + i);
      for (int j = 0; j < 1 + i % 17; j++) line.append(" w").append((i * 31 + j * 7) % 50);
      String text = line.toString();
      boolean two = !models.isEmpty() && i % 3 == 2;
      input.pipeInput(
          (two ? "m2" : "m1").getBytes(StandardCharsets.UTF_8),
          text.getBytes(StandardCharsets.UTF_8));
      (two ? sent2 : sent1).add(text + " </s>"); // the end-of-sentence token
      log.read();
      assertEquals(sent1, log.lines(first), "model m1 after record " + i);
      assertEquals(sent2, log.lines(second), "model m2 after record " + i);
    }
    assertTrue(log.batches(first).size() <= 300 / ModelStore.BATCH_LINES + 1, "batches of lines");
  }

  private TestOutputTopic<?, byte[]> changelog(String app, String store, Deserializer<?> keys) {
    return TopologyDrivers.output(driver, app + "-" + store + "-changelog", keys);
  }

  private static Function<Object, Long> batchOf(String prefix) {
    return k ->
        k instanceof String s && s.startsWith(prefix)
            ? Long.parseLong(s.substring(prefix.length()))
            : null;
  }

  /** A changelog topic as read so far: the latest value of each key. */
  private static final class Changelog {
    final TestOutputTopic<?, byte[]> topic;
    final Map<Object, byte[]> latest = new HashMap<>();

    Changelog(TestOutputTopic<?, byte[]> topic) {
      this.topic = topic;
    }

    void read() {
      for (var r : topic.readRecordsToList()) {
        if (r.value() == null) latest.remove(r.key());
        else latest.put(r.key(), r.value());
      }
    }

    /** One model's batches (sequence gives a key's first sequence, null if not the model's). */
    TreeMap<Long, byte[]> batches(Function<Object, Long> sequence) {
      TreeMap<Long, byte[]> batches = new TreeMap<>();
      latest.forEach(
          (k, v) -> {
            Long first = sequence.apply(k);
            if (first != null) batches.put(first, v);
          });
      return batches;
    }

    List<String> lines(Function<Object, Long> sequence) {
      List<String> lines = new ArrayList<>();
      for (byte[] b : batches(sequence).values())
        lines.addAll(Arrays.asList(new String(b, StandardCharsets.UTF_8).split("\n")));
      return lines;
    }
  }
}
