package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.snapshots.SnapshotTopicFixture;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.WordScore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ./streamvec query against the topic gives exactly what EmbeddingQueries gives on the published
 * snapshot.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class QueryCommandTest {
  static final String TOPIC = "query-cmd";
  static ModelSnapshot model, other;
  static EmbeddingQueries direct;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void publish() {
    model =
        SnapshotTopicFixture.train(
            SnapshotTopicFixture.smallConfig(3), SnapshotTopicFixture.text(1500, 4), 7);
    direct = new EmbeddingQueries(model);
    TestKafka.broker().createTopic(TOPIC, 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(TestKafka.servers(), "query-cmd-writer")) {
      SnapshotTopicFixture.publish(p, TOPIC, "default", model, 16_384, true);
      other =
          SnapshotTopicFixture.train(
              SnapshotTopicFixture.smallConfig(8), SnapshotTopicFixture.text(700, 11), 3);
      SnapshotTopicFixture.publish(p, TOPIC, "other", other, 16_384, true);
    }
  }

  static Run query(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--bootstrap-servers", TestKafka.servers(), "--set", "snapshots.topic=" + TOPIC));
    all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int code =
        QueryCommand.run(
            all.toArray(new String[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            TestKafka.noEnv());
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static void assertSameAnswers(List<WordScore> want, JsonNode answers) {
    assertEquals(want.size(), answers.size());
    for (int i = 0; i < want.size(); i++) {
      assertEquals(want.get(i).word(), answers.get(i).get("word").asText(), "answer " + i);
      assertEquals(
          want.get(i).score(), answers.get(i).get("score").asDouble(), 1e-12, "score " + i);
    }
  }

  static List<JsonNode> json(String out) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.strip().split("\n")) nodes.add(new ObjectMapper().readTree(line));
    return nodes;
  }

  @Test
  void neighboursOfSeveralWordsMatchTheDirectQuery() throws Exception {
    Run r = query("neighbours", "king", "water", "--k", "4", "--json");
    assertEquals(0, r.code(), r.err());
    List<JsonNode> lists = json(r.out());
    assertEquals(2, lists.size());
    assertSameAnswers(direct.neighbours("king", 4), lists.get(0).get("answers"));
    assertSameAnswers(direct.neighbours("water", 4), lists.get(1).get("answers"));
    Run text = query("neighbours", "King");
    assertTrue(text.out().startsWith("neighbours of 'King' (snapshot 7, "), text.out());
    assertEquals(11, text.out().strip().split("\n").length, "a title and the default 10 answers");
    assertTrue(
        text.out().contains(" 1. " + direct.neighbours("king", 1).get(0).word()), text.out());
    Run one = query("neighbours", "king", "lion", "--k", "2", "--oneline");
    List<WordScore> k2 = direct.neighbours("king", 2);
    assertEquals(
        String.format(
            java.util.Locale.ROOT,
            "neighbours of 'king': %s (%.2f), %s (%.2f)",
            k2.get(0).word(),
            k2.get(0).score(),
            k2.get(1).word(),
            k2.get(1).score()),
        one.out().split("\n")[0]);
    assertEquals(2, one.out().strip().split("\n").length);
  }

  @Test
  void predictSimilarityAndAnalogyMatchTheDirectQuery() throws Exception {
    Run p =
        query(
            "predict", "the", "lion", "and",
            "--json"); // words after the verb join into one context text
    assertEquals(0, p.code(), p.err());
    assertSameAnswers(direct.predict("the lion and", 5), json(p.out()).get(0).get("answers"));

    Run s = query("similarity", "lion", "tiger", "--json");
    assertEquals(
        direct.similarity("lion", "tiger"),
        json(s.out()).get(0).get("similarity").asDouble(),
        1e-12);

    Run a = query("analogy", "king", "queen", "sword", "--k", "3", "--json");
    assertSameAnswers(
        direct.analogy("king", "queen", "sword", 3), json(a.out()).get(0).get("answers"));
  }

  @Test
  void modelPicksAModelOnTheTopicAndAnUnknownOneListsThem() throws Exception {
    EmbeddingQueries second = new EmbeddingQueries(other);
    List<WordScore> want = second.neighbours("king", 4);
    assertNotEquals(direct.neighbours("king", 4), want, "the two models must differ for this test");
    Run r = query("neighbours", "king", "--k", "4", "--json", "--model", "other");
    assertEquals(0, r.code(), r.err());
    assertSameAnswers(want, json(r.out()).get(0).get("answers"));
    Run text = query("neighbours", "king", "--model", "other", "--k", "1");
    assertTrue(text.out().startsWith("neighbours of 'king' (snapshot 3, "), text.out());

    Run unknown = query("neighbours", "king", "--model", "sports", "--timeout", "20");
    assertEquals(CliFailure.FAILED, unknown.code());
    assertTrue(
        unknown.err().contains("no snapshot of model 'sports'")
            && unknown.err().contains("the models there: default, other"),
        unknown.err());
  }

  @Test
  void unknownWordsAreReportedAndTheRestAnswered() {
    Run r = query("neighbours", "zyzzyva", "king", "--k", "2");
    assertEquals(CliFailure.FAILED, r.code());
    assertTrue(r.err().contains("unknown word 'zyzzyva'"), r.err());
    assertTrue(r.out().contains("neighbours of 'king'"), r.out());
  }

  @Test
  void badUsage() {
    assertEquals(CliFailure.USAGE, query("similarity", "one").code());
    assertEquals(CliFailure.USAGE, query("neighbours").code());
    assertEquals(CliFailure.USAGE, query("neighbours", "king", "--k", "0").code());
    assertEquals(CliFailure.USAGE, query("translate", "king").code());
    assertEquals(CliFailure.USAGE, query("neighbours", "king", "--frobnicate").code());
    assertTrue(query("--help").out().contains("usage: ./streamvec query neighbours WORD"));
  }
}
