package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.snapshots.SnapshotTopicFixture;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.FreePorts;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.Word2VecFormat;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./streamvec snapshot export|info|watch against snapshots written to a real broker as the app
 * writes them.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SnapshotCommandTest {
  static final String TOPIC = "snapshot-cmd";
  static ModelSnapshot v1, v2, code;
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void publish() {
    ModelConfig c = SnapshotTopicFixture.smallConfig(5);
    List<String> text = SnapshotTopicFixture.text(800, 9);
    v1 = SnapshotTopicFixture.train(c, text.subList(0, 300), 1);
    v2 = SnapshotTopicFixture.train(c, text, 2);
    TestKafka.broker().createTopic(TOPIC, 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(TestKafka.servers(), "snapshot-cmd-writer")) {
      SnapshotTopicFixture.publish(p, TOPIC, "default", v1, 8192, true);
      SnapshotTopicFixture.publish(p, TOPIC, "default", v2, 8192, true);
      // a second model on the same topic (another application, or one app training several)
      code = SnapshotTopicFixture.train(c, SnapshotTopicFixture.text(500, 10), 9);
      SnapshotTopicFixture.publish(p, TOPIC, "code", code, 8192, true);
    }
  }

  static Run snapshot(AtomicBoolean stop, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    // the defaults first: a later --set or --bootstrap-servers in args wins
    String[] all = new String[args.length + 4];
    System.arraycopy(
        new String[] {
          "--bootstrap-servers", TestKafka.servers(), "--set", "snapshots.topic=" + TOPIC
        },
        0,
        all,
        0,
        4);
    System.arraycopy(args, 0, all, 4, args.length);
    int code =
        SnapshotCommand.run(
            all,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            TestKafka.noEnv(),
            stop);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run snapshot(String... args) {
    return snapshot(new AtomicBoolean(), args);
  }

  static String[] words(ModelSnapshot s) {
    String[] w = new String[s.size()];
    for (int i = 0; i < w.length; i++) w[i] = s.word(i);
    return w;
  }

  @Test
  void exportWord2VecTextAndBinaryGiveTheLatestSnapshotBitForBit() throws Exception {
    Path text = dir.resolve("m.vec"), bin = dir.resolve("m.bin");
    Run r = snapshot("export", "--format", "word2vec", "--output", text.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("exported version 2"), r.err());
    assertEquals(
        0, snapshot("export", "--format", "word2vec-bin", "--output", bin.toString()).code());
    for (Path f : List.of(text, bin)) {
      Word2VecFormat.Vectors v;
      try (InputStream in = Files.newInputStream(f)) {
        v = f == text ? Word2VecFormat.readText(in) : Word2VecFormat.readBinary(in);
      }
      assertArrayEquals(words(v2), v.words());
      assertArrayEquals(
          v2.wordVectors().data,
          v.vectors().data,
          0f,
          f + ": vectors differ (the export-vectors choice, E + W by default)");
    }
    assertTrue(
        Files.notExists(dir.resolve("m.vec.tmp")), "the temporary file is renamed into place");
  }

  @Test
  void exportJsonHasWordsVectorsAndStats() throws Exception {
    Path json = dir.resolve("m.json");
    assertEquals(0, snapshot("export", "--format", "json", "--output", json.toString()).code());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals(2, root.get("version").asLong());
    assertEquals(v2.tokens, root.get("tokens").asLong());
    assertEquals(v2.size(), root.get("words").size());
    assertEquals(v2.size(), root.get("vectors").size());
    int d = v2.dim();
    for (int i = 0; i < v2.size(); i++) {
      assertEquals(v2.word(i), root.get("words").get(i).asText());
      assertEquals(d, root.get("vectors").get(i).size());
      // default export-vectors for this lbl model: E + W
      for (int j = 0; j < d; j++) {
        assertEquals(
            v2.embeddings().data[i * d + j] + v2.outputWeights().data[i * d + j],
            (float) root.get("vectors").get(i).get(j).asDouble(),
            "(E+W)[" + i + "," + j + "]");
      }
    }
    assertEquals(
        v2.stats().get("perplexity"), root.get("stats").get("perplexity").asDouble(), 1e-9);
    assertEquals("16", root.get("config").get("dim").asText());
    assertEquals(d, root.get("vector_dim").asInt(), "E + W: d numbers");
  }

  @Test
  void modelsListsEveryModelAndModelPicksOne() throws Exception {
    Run r = snapshot("models");
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(3, lines.length, r.out());
    assertTrue(
        lines[1].matches(
            "code +9 +" + String.format(java.util.Locale.ROOT, "%,d", code.tokens) + " .*"),
        r.out());
    assertTrue(
        lines[2].matches(
            "default +2 +" + String.format(java.util.Locale.ROOT, "%,d", v2.tokens) + " .*"),
        r.out());
    Run json = snapshot("models", "--json");
    assertEquals(0, json.code(), json.err());
    String[] objects = json.out().strip().split("\n");
    assertEquals(2, objects.length);
    JsonNode first = new ObjectMapper().readTree(objects[0]);
    assertEquals("code", first.get("model_id").asText());
    assertEquals(code.tokens, first.get("tokens").asLong());

    Run info = snapshot("info", "--model", "code");
    assertEquals(0, info.code(), info.err());
    assertTrue(
        info.out().contains("version 9 of model 'code' on topic '" + TOPIC + "'"), info.out());
    Path out = dir.resolve("code.txt");
    assertEquals(
        0,
        snapshot("export", "--model", "code", "--format", "word2vec", "--output", out.toString())
            .code());
    assertTrue(Files.readString(out).startsWith(code.size() + " "), "the code model's vectors");

    Run unknown = snapshot("info", "--model", "sports", "--timeout", "20");
    assertEquals(CliFailure.FAILED, unknown.code());
    assertTrue(
        unknown.err().contains("no snapshot of model 'sports'")
            && unknown.err().contains("the models there: code, default"),
        unknown.err());
  }

  @Test
  void infoDescribesTheLatestSnapshot() {
    Run r = snapshot("info");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("version 2 of model 'default' on topic '" + TOPIC + "'"), r.out());
    assertTrue(
        r.out()
            .contains(
                String.format(
                    java.util.Locale.ROOT, "vocabulary  %,d words, 16 dimensions", v2.size())),
        r.out());
  }

  @Test
  void watchPrintsTheLatestThenEachNewVersion() throws Exception {
    String topic = "snapshot-watch";
    TestKafka.broker().createTopic(topic, 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int[] code = {-1};
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(TestKafka.servers(), "snapshot-watch-writer")) {
      SnapshotTopicFixture.publish(p, topic, "default", v1, 8192, true);
      Thread t =
          new Thread(
              () ->
                  code[0] =
                      SnapshotCommand.run(
                          new String[] {
                            "watch",
                            "--count",
                            "2",
                            "--bootstrap-servers",
                            TestKafka.servers(),
                            "--set",
                            "snapshots.topic=" + topic
                          },
                          new PrintStream(out, true),
                          new PrintStream(new ByteArrayOutputStream()),
                          TestKafka.noEnv(),
                          new AtomicBoolean()));
      t.start();
      Await.await(
          "watch to print version 1",
          () -> out.toString().contains("version 1"),
          Duration.ofSeconds(30));
      SnapshotTopicFixture.publish(p, topic, "default", v2, 8192, true);
      t.join(30_000);
    }
    assertEquals(0, code[0]);
    String[] lines = out.toString().strip().split("\n");
    assertEquals(2, lines.length, out.toString());
    assertTrue(
        lines[0].contains(
            "version 1  tokens " + String.format(java.util.Locale.ROOT, "%,d", v1.tokens)),
        lines[0]);
    assertTrue(lines[1].contains("version 2") && lines[1].contains("perplexity "), lines[1]);
  }

  @Test
  void noSnapshotMissingTopicAndUnreachableBrokerHaveClearMessagesAndCodes() {
    TestKafka.broker()
        .createTopic("snapshot-empty", 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    Run empty = snapshot("info", "--set", "snapshots.topic=snapshot-empty");
    assertEquals(CliFailure.FAILED, empty.code());
    assertTrue(empty.err().contains("no complete snapshot on topic 'snapshot-empty'"), empty.err());

    Run missing = snapshot("info", "--set", "snapshots.topic=snapshot-nope");
    assertEquals(CliFailure.TOPIC_UNAVAILABLE, missing.code());
    assertTrue(missing.err().contains("topic 'snapshot-nope' does not exist"), missing.err());

    Run dead =
        snapshot("info", "--timeout", "3", "--bootstrap-servers", "127.0.0.1:" + FreePorts.one());
    assertEquals(CliFailure.BROKER_UNREACHABLE, dead.code(), dead.err());
    assertTrue(dead.err().contains("cannot reach Kafka at 127.0.0.1:"), dead.err());

    assertEquals(CliFailure.USAGE, snapshot("export", "--format", "csv", "--output", "x").code());
    assertEquals(CliFailure.USAGE, snapshot("export", "--format", "json").code());
    assertEquals(CliFailure.USAGE, snapshot("frobnicate").code());
    assertTrue(snapshot("--help").out().contains("usage: ./streamvec snapshot export"));
  }
}
