package io.streamvec.app.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.app.SenseSwapText;
import io.streamvec.app.TestTexts;
import io.streamvec.app.metrics.HistoryMetricsBinder;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.CompactSnapshot;
import io.streamvec.model.query.Drift;
import io.streamvec.model.text.Tokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drift, time travel and the new-words feed over real HTTP, on snapshots of a real learner before
 * and after a sense swap (apple and car trade contexts) in which "zebra" first appears.
 */
class HistoryEndpointsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static QueryServer server;
  static SnapshotHistory history;
  static long swapTimeMs;

  static ModelSnapshot v1, v2, v3;

  @BeforeAll
  static void trainAndServe() throws InterruptedException {
    ModelConfig c = ModelConfig.defaults().withAll(TestTexts.smallModel());
    Learner l = new Learner(c);
    Tokenizer tok = new Tokenizer(c.maxLineChars);
    for (String line : SenseSwapText.lines(20_000, false, 1)) l.learn(tok.tokenize(line));
    v1 = l.snapshot(1);
    List<String> phase2 = new ArrayList<>(SenseSwapText.lines(20_000, true, 2));
    for (int i = 0; i < 50; i++) phase2.add(i * 400, "i feed the zebra");
    for (String line : phase2) l.learn(tok.tokenize(line));
    v2 = l.snapshot(2);
    for (String line : SenseSwapText.lines(1_000, true, 3)) l.learn(tok.tokenize(line));
    v3 = l.snapshot(3);
    history = new SnapshotHistory(2, 1000, 20);
    server = new QueryServer("127.0.0.1", 0, () -> "RUNNING", history);
    server.update(v1);
    Thread.sleep(5); // the snapshots' receive times are milliseconds apart
    swapTimeMs = System.currentTimeMillis();
    Thread.sleep(5);
    server.update(v2);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonNode get(String pathAndQuery, int expectedStatus) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(expectedStatus, r.statusCode(), pathAndQuery + " -> " + r.body());
    return JSON.readTree(r.body());
  }

  static Set<String> words(JsonNode list) {
    Set<String> out = new java.util.HashSet<>();
    for (JsonNode n : list) out.add(n.path("word").asText());
    return out;
  }

  @Test
  void theSwappedWordsLeadTheDriftListWithNeighboursThenAndNow() throws Exception {
    JsonNode d = get("/v1/drift?from=1&to=2&k=10&neighbours=3", 200);
    assertEquals(1, d.path("from").path("version").asLong());
    assertEquals(2, d.path("to").path("version").asLong());
    JsonNode movers = d.path("movers");
    assertEquals(10, movers.size());
    Set<String> top2 =
        Set.of(movers.get(0).path("word").asText(), movers.get(1).path("word").asText());
    assertEquals(Set.copyOf(SenseSwapText.SWAPPED), top2, movers.toString());
    // a clear gap: the swapped words moved several times more than any stable word
    assertTrue(movers.get(1).path("score").asDouble() > 3 * movers.get(2).path("score").asDouble());
    for (JsonNode m : List.of(movers.get(0), movers.get(1))) {
      boolean apple = m.path("word").asText().equals("apple");
      Set<String> fruit = Set.of("pear", "banana", "plum", "grape", "cherry");
      Set<String> vehicles = Set.of("bus", "truck", "train", "bike", "van");
      Set<String> then = words(m.path("neighbours_from")), now = words(m.path("neighbours_to"));
      assertTrue((apple ? fruit : vehicles).containsAll(then), m.toString());
      assertTrue((apple ? vehicles : fruit).containsAll(now), m.toString());
    }
    // default from: an hour before the newest, here the oldest retained
    assertEquals(1, get("/v1/drift", 200).path("from").path("version").asLong());
  }

  @Test
  void neighboursTravelInTime() throws Exception {
    JsonNode then = get("/v1/neighbours?word=apple&k=3&version=1", 200);
    assertEquals(1, then.path("snapshot_version").asLong());
    assertTrue(
        Set.of("pear", "banana", "plum", "grape", "cherry")
            .containsAll(words(then.path("neighbours"))),
        then.toString());
    JsonNode at = get("/v1/neighbours?word=apple&k=3&at=" + Instant.ofEpochMilli(swapTimeMs), 200);
    assertEquals(1, at.path("snapshot_version").asLong(), "the snapshot before the swap");
    JsonNode now = get("/v1/neighbours?word=apple&k=3&at=" + System.currentTimeMillis(), 200);
    assertEquals(2, now.path("snapshot_version").asLong());
    assertTrue(
        Set.of("car", "bus", "truck", "train", "bike", "van")
            .containsAll(words(now.path("neighbours"))),
        now.toString());
    assertTrue(
        get("/v1/neighbours?word=apple&version=9", 404)
            .path("error")
            .asText()
            .contains("is not kept"));
    get("/v1/neighbours?word=apple&at=yesterday", 400);
    get("/v1/neighbours?word=apple&version=1&at=2026-01-01T00:00:00Z", 400);
    get("/v1/neighbours?word=qwerty&version=1", 404);
  }

  @Test
  void theFeedListsNewWordsAndTheMetersShowTheDrift() throws Exception {
    JsonNode feed = get("/v1/words/new?limit=10", 200);
    assertTrue(feed.path("admitted").asLong() >= 1, feed.toString());
    JsonNode zebra = null;
    for (JsonNode e : feed.path("events")) if (e.path("word").asText().equals("zebra")) zebra = e;
    assertTrue(zebra != null, feed.toString());
    assertEquals("admitted", zebra.path("event").asText());
    assertEquals(2, zebra.path("version").asLong());
    assertTrue(zebra.path("count").asDouble() >= 2, zebra.toString());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new HistoryMetricsBinder("default", history).bindTo(registry);
    double top1 = registry.get(HistoryMetricsBinder.DRIFT_TOP).tag("rank", "1").gauge().value();
    JsonNode d = get("/v1/drift?k=1&neighbours=0", 200);
    assertEquals(d.path("movers").get(0).path("score").asDouble(), top1, 1e-6);
  }

  @Test
  void everyModelGetsItsOwnDriftMeters() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (QueryServer two =
        new QueryServer(
            "127.0.0.1",
            0,
            () -> "RUNNING",
            "default",
            new SnapshotHistory(2, 1000, 20),
            () -> new SnapshotHistory(2, 1000, 20))) {
      two.onNewModel((name, h) -> new HistoryMetricsBinder(name, h).bindTo(registry));
      two.update("news", v1);
      two.update("news", v2);
      two.update("default", v1);
      assertEquals(
          Set.of("default", "news"),
          Set.copyOf(
              registry.find(HistoryMetricsBinder.DRIFT_TOP).tag("rank", "1").gauges().stream()
                  .map(g -> g.getId().getTag("model"))
                  .toList()));
      assertEquals(
          Drift.top(CompactSnapshot.of(v1, 0, 1000), CompactSnapshot.of(v2, 0, 1000), 1, 20, 0)
              .get(0)
              .score(),
          registry
              .get(HistoryMetricsBinder.DRIFT_TOP)
              .tags("rank", "1", "model", "news")
              .gauge()
              .value(),
          1e-9);
      assertTrue(
          Double.isNaN(
              registry
                  .get(HistoryMetricsBinder.DRIFT_TOP)
                  .tags("rank", "1", "model", "default")
                  .gauge()
                  .value()),
          "one snapshot of the default model: nothing to compare yet");
    }
  }

  @Test
  void versionsPastTheLastNAreReadBackThroughTheIndex() {
    CompactSnapshot c1 = CompactSnapshot.of(v1, 1_000, 1000),
        c2 = CompactSnapshot.of(v2, 2_000, 1000),
        c3 = CompactSnapshot.of(v3, 3_000, 1000);
    Map<Long, CompactSnapshot> topic = Map.of(1L, c1, 2L, c2, 3L, c3);
    List<Long> reads = new ArrayList<>();
    SnapshotHistory h = new SnapshotHistory(1, 1000, 20, true);
    h.readBackWith(
        where -> {
          reads.add(where.version());
          return topic.get(where.version());
        });
    h.add(v1, 5); // a full snapshot feeds only the new-words feed when the history has a topic
    assertEquals(null, h.newest());
    for (CompactSnapshot c : List.of(c1, c2, c3))
      h.remember(c, new SnapshotHistory.Stored(c.version, c.timeMs, c.tokens, 0, 10 * c.version));
    assertEquals(List.of(3L), h.snapshots().stream().map(c -> c.version).toList());
    assertEquals(List.of(10L, 20L, 30L), h.stored().stream().map(s -> s.offset()).toList());
    assertEquals(c3, h.version(3));
    assertEquals(List.of(), reads, "the newest is in memory");
    assertEquals(c1, h.version(1));
    assertEquals(c2, h.at(2_500));
    assertEquals(c1, h.before(0, c3), "older than all: the oldest on the topic");
    assertEquals(null, h.at(999));
    assertEquals(c1, h.version(1));
    assertEquals(List.of(1L, 2L), reads, "a version read back once is kept for the next query");
    h.forget(0, 15); // the topic's retention deleted version 1 (offset 10)
    assertEquals(List.of(2L, 3L), h.stored().stream().map(s -> s.version()).toList());
    assertEquals(null, h.at(1_500));
    assertEquals(c2, h.before(1_500, c3), "older than all: the oldest still on the topic");
  }

  @Test
  void retentionKeepsTheLastN() throws Exception {
    SnapshotHistory h = new SnapshotHistory(2, 1000, 20);
    h.add(v1, 1);
    h.add(v2, 2);
    h.add(v3, 3);
    assertEquals(List.of(2L, 3L), h.snapshots().stream().map(c -> c.version).toList());
    assertEquals(2, h.before(0, h.newest()).version, "older than all: the oldest retained");
    h.add(v2, 4); // an older version arriving late is ignored
    assertEquals(3, h.newest().version);
  }
}
