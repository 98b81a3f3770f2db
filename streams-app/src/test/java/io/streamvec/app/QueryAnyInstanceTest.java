package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.WordScore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Queries from any instance, with the apps in their own JVMs on a real broker: two instances of one
 * application train model "news" (one owns it, the other trains nothing), and a second application
 * trains model "code" into the same snapshots topic. The instance that does not train "news"
 * answers for it exactly as its owner does and as an offline run of the same text does, answers for
 * "code" too, lists both models in /v1/models, and answers 404 with the list of models for a model
 * nobody trains.
 */
@Tag("integration")
class QueryAnyInstanceTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private EmbeddedKafkaBroker kafka;

  @BeforeEach
  void setUp() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterEach
  void tearDown() {
    if (kafka != null) kafka.close();
  }

  @Test
  // three app JVMs and a browser: room for a loaded machine (230 s at load average 18 on 2 cores)
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void theInstanceThatDoesNotTrainAModelAnswersForItAsItsOwnerDoes() throws Exception {
    List<String> newsText = TestTexts.generated(12_000, 51);
    List<String> codeText = TestTexts.generated(8_000, 52);
    Map<String, String> settings = new HashMap<>(TestTexts.smallModel());
    settings.put(AppKeys.MODEL_ID, "news");
    Path work = Files.createTempDirectory("streamvec-query-any-");
    // created here: instances that create a topic and describe it at once may find it not yet there
    kafka.createTopic("qnews-text", 1, Map.of());
    kafka.createTopic("qcode-text", 1, Map.of());
    try (TwoInstances news = new TwoInstances(kafka.bootstrapServers(), "qnews", settings)) {
      Map<String, String> other = new HashMap<>(news.settings);
      other.put(AppKeys.APPLICATION_ID, "qcode");
      other.put(AppKeys.MODEL_ID, "code");
      other.put(AppKeys.INPUT_TOPICS, "qcode-text");
      other.put(AppKeys.METRICS_TOPIC, "qcode-metrics");
      other.put(AppKeys.DLQ_TOPIC, "qcode-dlq");
      other.put(AppKeys.STATE_DIR, work.resolve("state-c").toString());
      try (AppProcess code = AppProcess.start("c", other, work.resolve("c.log"))) {
        long t0 = System.nanoTime();
        news.awaitHealthy();
        TwoInstances.awaitHealthy(code);
        progress(t0, "three instances running");
        KafkaTestClients.produce(kafka.bootstrapServers(), "qnews-text", newsText);
        KafkaTestClients.produce(kafka.bootstrapServers(), "qcode-text", codeText);
        AppProcess owner = news.awaitOwner(1);
        AppProcess notOwner = news.other(owner);

        ModelConfig config = AppConfig.of(news.settings).model();
        ModelSnapshot newsRef = TestTexts.reference(config, newsText).snapshot(0);
        ModelSnapshot codeRef = TestTexts.reference(config, codeText).snapshot(0);
        // the non-owner serves both final models (read back from the snapshots topic)
        AtomicReference<JsonNode> list = new AtomicReference<>();
        Await.await(
            () -> "the non-owner to serve both final models; it lists " + list.get(),
            () -> {
              list.set(get(notOwner, "/v1/models").body());
              return tokensOf(list.get(), "news") == newsRef.tokens
                  && tokensOf(list.get(), "code") == codeRef.tokens
                  && version(owner, "news") == versionOf(list.get(), "news");
            },
            TwoInstances.WAIT);
        JsonNode models = list.get();
        progress(t0, "the non-owner serves both final models");
        assertEquals(":" + notOwner.httpPort(), portOf(models.path("instance")));
        assertEquals("news", models.path("default_model").asText());
        assertEquals(2, models.path("models").size(), models.toString());
        JsonNode newsEntry = entry(models, "news"), codeEntry = entry(models, "code");
        assertEquals(":" + owner.httpPort(), portOf(newsEntry.path("owner")), models.toString());
        assertTrue(
            codeEntry.path("owner").isNull(),
            "code is trained by another application, whose instances this one does not know");
        assertEquals(codeRef.size(), codeEntry.path("vocab_size").asInt());

        String word = newsRef.word(4), codeWord = codeRef.word(6);
        String path = "/v1/neighbours?k=8&word=" + word;
        // the default model (no model=) is news; the answer is the owner's, float for float
        JsonNode answer = get(notOwner, path).body();
        assertEquals(get(owner, path).body(), answer);
        assertEquals("news", answer.path("model").asText());
        assertNeighbours(new EmbeddingQueries(newsRef).neighbours(word, 8), answer);
        assertEquals(answer, get(notOwner, path + "&model=news").body());

        String codePath = "/v1/neighbours?model=code&k=8&word=" + codeWord;
        JsonNode codeAnswer = get(notOwner, codePath).body();
        assertNeighbours(new EmbeddingQueries(codeRef).neighbours(codeWord, 8), codeAnswer);
        assertEquals(codeAnswer, get(code, codePath).body(), "the same answer on code's owner");
        assertEquals(
            codeRef.tokens, get(owner, "/v1/model?model=code").body().path("tokens").asLong());

        // the code app lists both too; it knows its own model's owner: itself
        JsonNode fromCode = get(code, "/v1/models").body();
        assertEquals("code", fromCode.path("default_model").asText());
        assertEquals(":" + code.httpPort(), portOf(entry(fromCode, "code").path("owner")));
        assertEquals(newsRef.tokens, entry(fromCode, "news").path("tokens").asLong());

        progress(t0, "answers checked");
        // the explorer page on the non-owner, with code picked: its neighbours and the picker
        Document page =
            Jsoup.parse(
                HeadlessChromium.dumpDom(
                    "http://127.0.0.1:" + notOwner.httpPort() + "/?model=code&word=" + codeWord,
                    8000));
        assertEquals("true", page.body().attr("data-ready"), page.body().html());
        assertEquals("", page.getElementById("error").text(), "no API call failed");
        assertEquals(List.of("code", "news"), page.select("#model option").eachAttr("value"));
        assertEquals(
            "code",
            page.select("#model option[selected]").attr("value"),
            page.select("#model").outerHtml());
        assertEquals(
            new EmbeddingQueries(codeRef)
                .neighbours(codeWord, 8).stream().map(WordScore::word).toList(),
            page.select("#neighbours-now li").stream().map(Element::ownText).toList());

        progress(t0, "explorer page checked");
        Answer unknown = get(notOwner, "/v1/neighbours?model=sports&word=" + word);
        assertEquals(404, unknown.status(), unknown.body().toString());
        assertTrue(unknown.body().path("error").asText().contains("unknown model 'sports'"));
        assertEquals(
            List.of("code", "news"), JSON.convertValue(unknown.body().path("models"), List.class));
      } finally {
        TestTexts.deleteTree(work);
      }
    }
  }

  private static void progress(long t0, String what) {
    System.err.printf(
        "query-any-instance: %s after %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
  }

  private static void assertNeighbours(List<WordScore> expected, JsonNode answer) {
    JsonNode list = answer.path("neighbours");
    assertEquals(expected.size(), list.size(), answer.toString());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).word(), list.get(i).path("word").asText(), answer.toString());
      assertEquals(expected.get(i).score(), list.get(i).path("similarity").asDouble(), 1e-6);
    }
  }

  record Answer(int status, JsonNode body) {}

  private static Answer get(AppProcess app, String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), JSON.readTree(r.body()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long version(AppProcess app, String model) {
    return get(app, "/v1/model?model=" + model).body().path("snapshot_version").asLong(-1);
  }

  private static JsonNode entry(JsonNode models, String model) {
    for (JsonNode m : models.path("models")) if (m.path("model").asText().equals(model)) return m;
    throw new AssertionError("no model '" + model + "' in " + models);
  }

  private static long tokensOf(JsonNode models, String model) {
    for (JsonNode m : models.path("models"))
      if (m.path("model").asText().equals(model)) return m.path("tokens").asLong(-1);
    return -1;
  }

  private static long versionOf(JsonNode models, String model) {
    for (JsonNode m : models.path("models"))
      if (m.path("model").asText().equals(model)) return m.path("snapshot_version").asLong(-2);
    return -2;
  }

  /** ":port" of a "host:port" instance name (the host is the machine's name). */
  private static String portOf(JsonNode instance) {
    String s = instance.asText();
    return s.substring(Math.max(0, s.lastIndexOf(':')));
  }
}
