package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.query.HistoryFollower;
import io.streamvec.app.query.ModelCatalog;
import io.streamvec.app.query.QueryServer;
import io.streamvec.app.query.SnapshotHistory;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.model.ModelSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The history topic through the real app and broker: three phases of a sense swap give versions a
 * (apple a fruit), b (apple a vehicle) and c; the app keeps only 2 snapshots in memory, so a is
 * read back from the topic. /v1/drift from a to b matches an offline computation on the exported
 * full snapshots, and after a restart (history in memory empty), and on the query side of an
 * instance that trains nothing, drift and time travel to a answer exactly as before.
 */
@Tag("integration")
@Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES)
class HistoryTopicRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DAMPING = 20;

  @Test
  void driftAndTimeTravelReachPastMemoryAndSurviveARestart() throws Exception {
    Path state = Files.createTempDirectory("streamvec-history-");
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      Map<String, String> m = new HashMap<>(TestTexts.smallModel());
      m.putAll(
          Map.of(
              AppKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
              AppKeys.APPLICATION_ID, "history",
              AppKeys.HTTP_PORT, "0",
              AppKeys.IDLE_SNAPSHOT_MS, "1000",
              AppKeys.COMMIT_INTERVAL_MS, "200",
              AppKeys.HISTORY_SNAPSHOTS, "2",
              AppKeys.DRIFT_DAMPING_COUNT, String.valueOf(DAMPING),
              AppKeys.STATE_DIR, state.toString()));
      AppConfig c = AppConfig.of(m);
      String topic = c.get(AppKeys.INPUT_TOPICS), servers = kafka.bootstrapServers();
      List<String> phase1 = SenseSwapText.lines(8_000, false, 1);
      List<String> phase2 = SenseSwapText.lines(8_000, true, 2);
      List<String> phase3 = SenseSwapText.lines(1_000, true, 3);
      long tokens1 = TestTexts.tokenCount(c.model(), phase1);
      long tokens2 = tokens1 + TestTexts.tokenCount(c.model(), phase2);
      long tokens3 = tokens2 + TestTexts.tokenCount(c.model(), phase3);
      ModelSnapshot a, b, cc;
      Instant betweenPhases;
      String drift, nowThen, atThen;
      try (StreamvecApp app = StreamvecApp.start(c)) {
        KafkaTestClients.produce(servers, topic, phase1);
        a = awaitSnapshot(servers, c, tokens1);
        Thread.sleep(10);
        betweenPhases = Instant.now();
        KafkaTestClients.produce(servers, topic, phase2);
        b = awaitSnapshot(servers, c, tokens2);
        KafkaTestClients.produce(servers, topic, phase3);
        cc = awaitSnapshot(servers, c, tokens3);
        JsonNode kept = awaitHistory(app.httpPort(), cc.version);
        assertFalse(versions(kept.path("snapshots")).contains(a.version), "a is not in memory");
        assertTrue(versions(kept.path("history_topic")).containsAll(List.of(a.version, b.version)));

        drift = get(app.httpPort(), "/v1/drift?from=" + a.version + "&to=" + b.version + "&k=10");
        nowThen = get(app.httpPort(), "/v1/neighbours?word=apple&k=5&version=" + a.version);
        atThen = get(app.httpPort(), "/v1/neighbours?word=apple&k=5&at=" + betweenPhases);
      }
      assertDriftIsTheOfflineOne(JSON.readTree(drift), a, b);
      JsonNode then = JSON.readTree(atThen);
      assertEquals(a.version, then.path("snapshot_version").asLong(), atThen);
      assertEquals(JSON.readTree(nowThen), then, "version= and at= name the same snapshot");

      // a new app on the same topics: memory empty, the history topic read back from its start
      try (StreamvecApp app = StreamvecApp.start(c)) {
        awaitHistory(app.httpPort(), cc.version);
        assertEquals(
            drift,
            get(app.httpPort(), "/v1/drift?from=" + a.version + "&to=" + b.version + "&k=10"));
        assertEquals(
            nowThen, get(app.httpPort(), "/v1/neighbours?word=apple&k=5&version=" + a.version));
        assertEquals(
            atThen, get(app.httpPort(), "/v1/neighbours?word=apple&k=5&at=" + betweenPhases));
        String metrics = get(app.httpPort(), "/metrics");
        assertTrue(
            metrics.contains("streamvec_drift_top_score{") && metrics.contains("model=\"default\""),
            "drift meters carry the model");
      }

      // the query side of an instance that trains nothing: it follows both topics, as any does
      Properties client = c.kafkaClientProperties();
      try (QueryServer q =
              new QueryServer(
                  "127.0.0.1", 0, () -> "RUNNING", new SnapshotHistory(2, 10_000, DAMPING, true));
          ModelCatalog catalog =
              ModelCatalog.start(client, c.get(AppKeys.SNAPSHOTS_TOPIC), q::update);
          HistoryFollower history = HistoryFollower.start(client, c.historyTopic(), q::history)) {
        int port = q.port();
        awaitHistory(port, cc.version);
        assertEquals(
            drift, get(port, "/v1/drift?from=" + a.version + "&to=" + b.version + "&k=10"));
        assertEquals(nowThen, get(port, "/v1/neighbours?word=apple&k=5&version=" + a.version));
        assertEquals(atThen, get(port, "/v1/neighbours?word=apple&k=5&at=" + betweenPhases));
      }
    } finally {
      TestTexts.deleteTree(state);
    }
  }

  /**
   * The app's movers against a computation of its own: full-precision word vectors of the exported
   * snapshots, score = (1 - cos) * c / (c + damping), c the smaller count. The app keeps 8 bits per
   * number, so scores agree to ~1e-2 and the clear leaders (the swapped words) rank the same.
   */
  private static void assertDriftIsTheOfflineOne(JsonNode drift, ModelSnapshot a, ModelSnapshot b) {
    Map<String, Double> offline = new HashMap<>();
    FMatrixRMaj ua = a.wordVectors(), ub = b.wordVectors();
    for (int j = 2; j < b.size(); j++) {
      int i = a.id(b.word(j));
      if (i < 2) continue; // not in a (or a special token)
      double norms = Math.sqrt(dot(ua, i, ua, i) * dot(ub, j, ub, j));
      double cos = norms == 0 ? 0 : dot(ua, i, ub, j) / norms;
      double count = Math.min(a.count(i), b.count(j));
      offline.put(b.word(j), (1 - cos) * count / (count + DAMPING));
    }
    List<String> ranked = new ArrayList<>(offline.keySet());
    ranked.sort(Comparator.comparing(offline::get).reversed());
    JsonNode movers = drift.path("movers");
    assertEquals(10, movers.size(), drift.toString());
    assertEquals(
        Set.copyOf(ranked.subList(0, 2)),
        Set.of(movers.get(0).path("word").asText(), movers.get(1).path("word").asText()),
        "offline top: " + ranked.subList(0, 10) + "; app: " + movers);
    assertEquals(Set.copyOf(SenseSwapText.SWAPPED), Set.copyOf(ranked.subList(0, 2)));
    for (JsonNode mover : movers) {
      String word = mover.path("word").asText();
      assertEquals(offline.get(word), mover.path("score").asDouble(), 1e-2, word);
    }
  }

  /** Row i of a . row j of b, in doubles. */
  private static double dot(FMatrixRMaj a, int i, FMatrixRMaj b, int j) {
    double sum = 0;
    for (int x = 0; x < a.numCols; x++)
      sum += (double) a.data[i * a.numCols + x] * b.data[j * b.numCols + x];
    return sum;
  }

  private static ModelSnapshot awaitSnapshot(String servers, AppConfig c, long tokens) {
    return KafkaTestClients.awaitSnapshot(
        servers, c.get(AppKeys.SNAPSHOTS_TOPIC), s -> s.tokens == tokens, WAIT);
  }

  /** /v1/snapshots once the history holds version (it follows the topic, a moment behind). */
  private static JsonNode awaitHistory(int port, long version) throws Exception {
    JsonNode[] out = new JsonNode[1];
    Await.await(
        "version " + version + " in the history",
        () -> {
          HttpResponse<String> r = send(port, "/v1/snapshots");
          out[0] = r.statusCode() == 200 ? JSON.readTree(r.body()) : null; // 503: no model yet
          return out[0] != null && versions(out[0].path("snapshots")).contains(version);
        },
        WAIT);
    return out[0];
  }

  private static List<Long> versions(JsonNode list) {
    List<Long> out = new ArrayList<>();
    for (JsonNode e : list) out.add(e.path("version").asLong());
    return out;
  }

  private static String get(int port, String path) throws Exception {
    HttpResponse<String> r = send(port, path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  private static HttpResponse<String> send(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
