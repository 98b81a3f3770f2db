package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * application train models "news" and "tech" (two model partitions, so each may go to another
 * instance), and a second application trains model "other" into the same snapshots topic. Every
 * instance answers for every model exactly as the model's owner does and as an offline run of the
 * same text does; /v1/models lists the three with the owner Kafka Streams placed each model on,
 * tokens and version; a model nobody trains is a 404 listing the models; the explorer page picks a
 * model.
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
  void everyInstanceAnswersForEveryModelAsItsOwnerDoes() throws Exception {
    Map<String, List<String>> texts =
        Map.of(
            "news", TestTexts.generated(12_000, 51),
            "tech", TestTexts.generated(8_000, 52),
            "other", TestTexts.generated(6_000, 53));
    Map<String, String> settings = new HashMap<>(TestTexts.smallModel());
    settings.put(AppKeys.MODEL_ID, "news");
    settings.put(AppKeys.MODELS, "tech");
    settings.put("model.tech.topics", "qtech-text");
    settings.put(AppKeys.MODEL_PARTITIONS, "2");
    Path work = Files.createTempDirectory("streamvec-query-any-");
    // created here: instances that create a topic and describe it at once may find it not yet there
    for (String topic : List.of("qa-text", "qtech-text", "qother-text"))
      kafka.createTopic(topic, 1, Map.of());
    try (TwoInstances qa = new TwoInstances(kafka.bootstrapServers(), "qa", settings)) {
      AppConfig config = AppConfig.of(qa.settings);
      assertNotEquals(
          config.models().partitionOf("news"),
          config.models().partitionOf("tech"),
          "the two models should be on different tasks, so that each instance may train one");
      Map<String, String> third = new HashMap<>(TestTexts.smallModel());
      third.put(AppKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      third.put(AppKeys.APPLICATION_ID, "qother");
      third.put(AppKeys.MODEL_ID, "other");
      third.put(AppKeys.INPUT_TOPICS, "qother-text");
      third.put(AppKeys.SNAPSHOTS_TOPIC, qa.topic(AppKeys.SNAPSHOTS_TOPIC));
      third.put(AppKeys.METRICS_TOPIC, "qother-metrics");
      third.put(AppKeys.DLQ_TOPIC, "qother-dlq");
      third.put(AppKeys.IDLE_SNAPSHOT_MS, "1500");
      third.put(AppKeys.STATE_DIR, work.resolve("state-c").toString());
      try (AppProcess c = AppProcess.start("c", third, work.resolve("c.log"))) {
        long t0 = System.nanoTime();
        qa.awaitHealthy();
        TwoInstances.awaitHealthy(c);
        progress(t0, "three instances running");
        KafkaTestClients.produce(kafka.bootstrapServers(), "qa-text", texts.get("news"));
        KafkaTestClients.produce(kafka.bootstrapServers(), "qtech-text", texts.get("tech"));
        KafkaTestClients.produce(kafka.bootstrapServers(), "qother-text", texts.get("other"));
        Map<String, ModelSnapshot> ref = new HashMap<>();
        for (String m : texts.keySet())
          ref.put(m, TestTexts.reference(config.models().modelConfig(m), texts.get(m)).snapshot(0));

        // who trains news and tech, from the instances' own meters (not from what is tested)
        Map<String, AppProcess> owner = new HashMap<>();
        Await.await(
            () -> "each model of qa trained by one instance: " + owner + "\n" + qa.logs(),
            () -> {
              owner.clear();
              for (String m : List.of("news", "tech"))
                for (AppProcess p : List.of(qa.a, qa.b))
                  if (trainedTokens(p, m) > 0 && owner.put(m, p) != null)
                    throw new AssertionError(m + " trained on both instances");
              return owner.size() == 2;
            },
            TwoInstances.WAIT);
        // both instances of qa serve all three final models, the same versions
        AtomicReference<String> state = new AtomicReference<>();
        Await.await(
            () -> "qa's instances to serve the three final models; " + state.get(),
            () -> {
              for (AppProcess p : List.of(qa.a, qa.b)) {
                JsonNode list = get(p, "/v1/models").body();
                state.set(p.name() + " lists " + list);
                for (String m : texts.keySet())
                  if (entry(list, m).path("tokens").asLong() != ref.get(m).tokens) return false;
                for (String m : owner.keySet())
                  if (entry(list, m).path("snapshot_version").asLong() != version(owner.get(m), m))
                    return false;
              }
              return true;
            },
            TwoInstances.WAIT);
        progress(
            t0,
            "both instances serve the three final models (news trained on "
                + owner.get("news").name()
                + ", tech on "
                + owner.get("tech").name()
                + ")");

        for (AppProcess p : List.of(qa.a, qa.b)) {
          JsonNode list = get(p, "/v1/models").body();
          assertEquals(":" + p.httpPort(), portOf(list.path("instance")));
          assertEquals("news", list.path("default_model").asText());
          assertEquals(
              List.of("news", "other", "tech"), list.path("models").findValuesAsText("model"));
          for (String m : owner.keySet())
            assertEquals(":" + owner.get(m).httpPort(), portOf(entry(list, m).path("owner")), m);
          assertTrue(
              entry(list, "other").path("owner").isNull(),
              "other is trained by another application, whose instances qa's do not know");
          assertEquals(ref.get("tech").size(), entry(list, "tech").path("vocab_size").asInt());
        }
        // each model of qa, asked where it is not trained: the owner's answer, float for float,
        // which is the offline run's
        for (String m : owner.keySet()) {
          AppProcess notOwner = qa.other(owner.get(m));
          String word = ref.get(m).word(4);
          String path = "/v1/neighbours?k=8&model=" + m + "&word=" + word;
          JsonNode answer = get(notOwner, path).body();
          assertEquals(get(owner.get(m), path).body(), answer, m);
          assertEquals(m, answer.path("model").asText());
          assertNeighbours(new EmbeddingQueries(ref.get(m)).neighbours(word, 8), answer);
        }
        // no model= is model.id, news
        String newsWord = ref.get("news").word(4);
        assertEquals(
            get(qa.a, "/v1/neighbours?k=8&model=news&word=" + newsWord).body(),
            get(qa.b, "/v1/neighbours?k=8&word=" + newsWord).body());
        // the other application's model: the same answer on qa's instances as on its own
        String otherWord = ref.get("other").word(6);
        String otherPath = "/v1/neighbours?model=other&k=8&word=" + otherWord;
        JsonNode otherAnswer = get(qa.a, otherPath).body();
        assertNeighbours(
            new EmbeddingQueries(ref.get("other")).neighbours(otherWord, 8), otherAnswer);
        assertEquals(otherAnswer, get(c, otherPath).body(), "the same answer on other's owner");
        assertEquals(
            ref.get("other").tokens,
            get(qa.b, "/v1/model?model=other").body().path("tokens").asLong());
        // the other application lists all three; it knows only its own model's owner: itself
        JsonNode fromC = get(c, "/v1/models").body();
        assertEquals("other", fromC.path("default_model").asText());
        assertEquals(":" + c.httpPort(), portOf(entry(fromC, "other").path("owner")));
        assertTrue(entry(fromC, "news").path("owner").isNull(), fromC.toString());
        assertEquals(ref.get("news").tokens, entry(fromC, "news").path("tokens").asLong());
        progress(t0, "answers checked");

        // the explorer page where tech is not trained, with tech picked: the picker, its neighbours
        AppProcess notTechOwner = qa.other(owner.get("tech"));
        String techWord = ref.get("tech").word(6);
        Document page =
            Jsoup.parse(
                HeadlessChromium.dumpDom(
                    "http://127.0.0.1:" + notTechOwner.httpPort() + "/?model=tech&word=" + techWord,
                    8000));
        assertEquals("true", page.body().attr("data-ready"), page.body().html());
        assertEquals("", page.getElementById("error").text(), "no API call failed");
        assertEquals(
            List.of("news", "other", "tech"), page.select("#model option").eachAttr("value"));
        assertEquals(
            "tech",
            page.select("#model option[selected]").attr("value"),
            page.select("#model").outerHtml());
        assertEquals(
            words(new EmbeddingQueries(ref.get("tech")).neighbours(techWord, 8)),
            page.select("#neighbours-now li").stream().map(Element::ownText).toList());
        progress(t0, "explorer page checked");

        Answer unknown = get(qa.b, "/v1/neighbours?model=sports&word=" + newsWord);
        assertEquals(404, unknown.status(), unknown.body().toString());
        assertTrue(unknown.body().path("error").asText().contains("unknown model 'sports'"));
        assertEquals(
            List.of("news", "other", "tech"),
            JSON.convertValue(unknown.body().path("models"), List.class));
      } finally {
        TestTexts.deleteTree(work);
      }
    }
  }

  /** Tokens instance p has trained of model, from its Prometheus page (0 when it trains none). */
  private static double trainedTokens(AppProcess p, String model) {
    String page;
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.httpPort() + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      page = r.body();
    } catch (java.io.IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    Matcher m =
        Pattern.compile(
                "(?m)^streamvec_tokens_total\\{[^}]*model=\"" + model + "\"[^}]*\\} ([0-9.eE+]+)$")
            .matcher(page);
    if (!m.find()) return 0;
    double v = Double.parseDouble(m.group(1));
    return Double.isNaN(v) ? 0 : v;
  }

  private static List<String> words(List<WordScore> list) {
    return list.stream().map(WordScore::word).toList();
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
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance(); // not listed (yet)
  }

  /** ":port" of a "host:port" instance name (the host is the machine's name). */
  private static String portOf(JsonNode instance) {
    String s = instance.asText();
    return s.substring(Math.max(0, s.lastIndexOf(':')));
  }
}
