package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sense swap through the real app and broker: phase 1 uses "apple" as a fruit and "car" as a
 * vehicle, phase 2 swaps them. /v1/drift between the snapshot after each phase ranks the two first,
 * and time-travel neighbours of "apple" are fruits before the swap and vehicles after. Then the
 * explorer page at / in headless chromium shows the same (screenshot: target/explorer.png).
 */
@Tag("integration")
@Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
class SenseSwapDriftTest {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FRUIT = Set.of("pear", "banana", "plum", "grape", "cherry");
  private static final Set<String> VEHICLES = Set.of("bus", "truck", "train", "bike", "van");

  @Test
  void swappedWordsTopTheDriftListAndTimeTravelSeesBothSenses() throws Exception {
    Path state = Files.createTempDirectory("streamvec-senseswap-");
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      Map<String, String> m = new HashMap<>(TestTexts.smallModel());
      m.putAll(
          Map.of(
              AppKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
              AppKeys.APPLICATION_ID, "senseswap",
              AppKeys.HTTP_PORT, "0",
              AppKeys.IDLE_SNAPSHOT_MS, "1000",
              AppKeys.COMMIT_INTERVAL_MS, "200",
              AppKeys.METRICS_INTERVAL_MS, "500",
              AppKeys.STATE_DIR, state.toString()));
      AppConfig c = AppConfig.of(m);
      List<String> phase1 = SenseSwapText.lines(20_000, false, 1);
      List<String> phase2 = SenseSwapText.lines(20_000, true, 2);
      long tokens1 = TestTexts.tokenCount(c.model(), phase1);
      long tokens2 = tokens1 + TestTexts.tokenCount(c.model(), phase2);
      try (StreamvecApp app = StreamvecApp.start(c)) {
        String topic = c.get(AppKeys.INPUT_TOPICS);
        KafkaTestClients.produce(kafka.bootstrapServers(), topic, phase1);
        ModelSnapshot before = awaitSnapshot(kafka, c, tokens1);
        Thread.sleep(10);
        Instant betweenPhases = Instant.now();
        KafkaTestClients.produce(kafka.bootstrapServers(), topic, phase2);
        ModelSnapshot after = awaitSnapshot(kafka, c, tokens2);
        // the history follows the history topic, a moment behind the snapshots topic
        Await.await(
            "version " + after.version + " in the history",
            () -> get(app, "/v1/snapshots").toString().contains("\"version\":" + after.version),
            WAIT);

        JsonNode drift =
            get(app, "/v1/drift?from=" + before.version + "&to=" + after.version + "&k=10");
        JsonNode movers = drift.path("movers");
        Set<String> top2 =
            Set.of(movers.get(0).path("word").asText(), movers.get(1).path("word").asText());
        assertEquals(Set.copyOf(SenseSwapText.SWAPPED), top2, movers.toString());
        assertTrue(
            movers.get(1).path("score").asDouble() > 3 * movers.get(2).path("score").asDouble(),
            "the swapped words stand out: " + movers);

        JsonNode then = get(app, "/v1/neighbours?word=apple&k=3&at=" + betweenPhases);
        assertEquals(before.version, then.path("snapshot_version").asLong());
        assertTrue(FRUIT.containsAll(words(then.path("neighbours"))), then.toString());
        JsonNode now = get(app, "/v1/neighbours?word=apple&k=3&version=" + after.version);
        assertTrue(VEHICLES.containsAll(words(now.path("neighbours"))), now.toString());
        assertTrue(
            get(app, "/metrics").toString().contains("streamvec_drift_top_score"),
            "drift meters are served");

        // the explorer page in a real browser: its scripts fill the page from the API, the learning
        // curve from the latest metrics record (one comes every metrics.interval.ms)
        Await.await(
            "a metrics record with the recent perplexity",
            () -> get(app, "/v1/status").path("recent_perplexity").isNumber(),
            WAIT);
        String page =
            "http://127.0.0.1:"
                + app.httpPort()
                + "/?word=apple&context=i+drive+the&then="
                + before.version;
        Document dom = Jsoup.parse(HeadlessChromium.dumpDom(page, 8000));
        assertEquals("true", dom.body().attr("data-ready"), dom.body().html());
        assertEquals("", dom.getElementById("error").text(), "no API call failed");
        List<String> drifted = dom.select("#drift tr.mover td:first-child").eachText();
        assertEquals(
            Set.copyOf(SenseSwapText.SWAPPED), Set.copyOf(drifted.subList(0, 2)), "" + drifted);
        assertTrue(
            FRUIT.containsAll(firstWords(dom.select("#neighbours-then li"))),
            dom.getElementById("neighbours-then").text());
        assertTrue(
            VEHICLES.containsAll(firstWords(dom.select("#neighbours-now li"))),
            dom.getElementById("neighbours-now").text());
        assertTrue(dom.select("#predictions li").size() > 0, "next-word predictions shown");
        assertEquals(1, dom.select("#curve-perplexity polyline").size(), "the learning curve");
        assertTrue(dom.getElementById("model-line").text().contains("version " + after.version));
        HeadlessChromium.screenshot(page, 8000, Path.of("target", "explorer.png"));
      }
    } finally {
      TestTexts.deleteTree(state);
    }
  }

  private static ModelSnapshot awaitSnapshot(EmbeddedKafkaBroker kafka, AppConfig c, long tokens) {
    return KafkaTestClients.awaitSnapshot(
        kafka.bootstrapServers(), c.get(AppKeys.SNAPSHOTS_TOPIC), s -> s.tokens == tokens, WAIT);
  }

  /** The words of the first 3 list items (their own text, without the score). */
  private static List<String> firstWords(Elements items) {
    return items.stream().limit(3).map(Element::ownText).toList();
  }

  private static Set<String> words(JsonNode list) {
    Set<String> out = new HashSet<>();
    for (JsonNode n : list) out.add(n.path("word").asText());
    return out;
  }

  private static JsonNode get(StreamvecApp app, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return path.equals("/metrics") ? JSON.valueToTree(r.body()) : JSON.readTree(r.body());
  }
}
