package io.streamvec.app.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.WordScore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several models on one query server: model=, the default model, /v1/models, unknown models. */
class ModelsEndpointTest {
  static ModelSnapshot news, code, newsNewer;

  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();
  QueryServer server;

  @BeforeAll
  static void train() {
    news = QueryServerTest.trainedSnapshot(3, 60);
    code = QueryServerTest.trainedSnapshot(7, 5); // another model: fewer passes, other vectors
    newsNewer = QueryServerTest.trainedSnapshot(4, 80);
  }

  @BeforeEach
  void start() {
    server =
        new QueryServer(
            "127.0.0.1",
            0,
            () -> "RUNNING",
            "news",
            new SnapshotHistory(5, 100, 20),
            () -> new SnapshotHistory(5, 100, 20));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> get(String pathAndQuery) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  JsonNode ok(String pathAndQuery) throws Exception {
    HttpResponse<String> r = get(pathAndQuery);
    assertEquals(200, r.statusCode(), pathAndQuery + ": " + r.body());
    return json.readTree(r.body());
  }

  static List<String> words(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : list) out.add(e.path("word").asText());
    return out;
  }

  static List<String> words(List<WordScore> list) {
    return list.stream().map(WordScore::word).toList();
  }

  @Test
  void eachModelAnswersFromItsOwnSnapshotAndNoModelMeansTheDefault() throws Exception {
    server.update(news); // the app's own model, as its listener hands it over
    server.update("code", code); // another model, as the catalog reads it from the topic
    List<String> newsAnswer = words(new EmbeddingQueries(news).neighbours("cat", 5));
    List<String> codeAnswer = words(new EmbeddingQueries(code).neighbours("cat", 5));
    assertNotEquals(
        newsAnswer, codeAnswer, "the two models must differ for this test to mean much");

    JsonNode byDefault = ok("/v1/neighbours?word=cat&k=5");
    assertEquals(3, byDefault.path("snapshot_version").asLong());
    assertEquals("news", byDefault.path("model").asText());
    assertEquals(newsAnswer, words(byDefault.path("neighbours")));
    assertEquals(byDefault, ok("/v1/neighbours?word=cat&k=5&model=news"));

    JsonNode other = ok("/v1/neighbours?model=code&word=cat&k=5");
    assertEquals(7, other.path("snapshot_version").asLong());
    assertEquals("code", other.path("model").asText());
    assertEquals(codeAnswer, words(other.path("neighbours")));

    assertEquals("code", ok("/v1/model?model=code").path("model").asText());
    assertEquals(code.tokens, ok("/v1/model?model=code").path("tokens").asLong());
    assertEquals(
        new EmbeddingQueries(code).similarity("cat", "dog"),
        ok("/v1/similarity?model=code&a=cat&b=dog").path("similarity").asDouble(),
        1e-6);
    assertEquals(
        words(new EmbeddingQueries(code).predict("the cat", 3)),
        words(ok("/v1/predict?model=code&context=the+cat&k=3").path("predictions")));
    assertEquals(
        words(new EmbeddingQueries(code).analogy("king", "queen", "cat", 3)),
        words(ok("/v1/analogy?model=code&a=king&b=queen&c=cat&k=3").path("answers")));
    // each model has its own history
    assertEquals(
        7, ok("/v1/snapshots?model=code").path("snapshots").get(0).path("version").asLong());
    assertEquals(3, ok("/v1/snapshots").path("snapshots").get(0).path("version").asLong());
    assertEquals(1, ok("/v1/snapshots?model=code").path("snapshots").size());
  }

  @Test
  void anUnknownModelIs404ListingTheModels() throws Exception {
    server.update(news);
    server.update("code", code);
    for (String path :
        List.of(
            "/v1/neighbours?model=nope&word=cat",
            "/v1/model?model=nope",
            "/v1/drift?model=nope",
            "/v1/words/new?model=nope")) {
      HttpResponse<String> r = get(path);
      assertEquals(404, r.statusCode(), path + ": " + r.body());
      JsonNode b = json.readTree(r.body());
      assertTrue(b.path("error").asText().contains("unknown model 'nope'"), b.toString());
      assertTrue(b.path("error").asText().contains("code, news"), b.toString());
      assertEquals(List.of("code", "news"), json.convertValue(b.path("models"), List.class));
    }
  }

  @Test
  void modelsListsEveryModelWithOwnerTokensAndVersion() throws Exception {
    // before any snapshot: the default model, not served yet
    JsonNode empty = ok("/v1/models");
    assertEquals("news", empty.path("default_model").asText());
    assertEquals(1, empty.path("models").size());
    assertTrue(empty.path("models").get(0).path("snapshot_version").isNull());

    server.update(news);
    server.update("code", code);
    server.owners(
        model -> model.equals("news") ? "host-a:8080" : null, "host-b:8081"); // code: elsewhere
    JsonNode list = ok("/v1/models");
    assertEquals("host-b:8081", list.path("instance").asText());
    assertEquals("news", list.path("default_model").asText());
    JsonNode models = list.path("models");
    assertEquals(2, models.size());
    assertEquals("code", models.get(0).path("model").asText());
    assertTrue(models.get(0).path("owner").isNull());
    assertEquals(7, models.get(0).path("snapshot_version").asLong());
    assertEquals(code.tokens, models.get(0).path("tokens").asLong());
    assertEquals(code.size(), models.get(0).path("vocab_size").asInt());
    assertEquals("news", models.get(1).path("model").asText());
    assertEquals("host-a:8080", models.get(1).path("owner").asText());
    assertEquals(3, models.get(1).path("snapshot_version").asLong());
    assertEquals(news.tokens, models.get(1).path("tokens").asLong());

    // an owner lookup that fails (Kafka Streams not running) is "not known", not an error
    server.owners(
        model -> {
          throw new IllegalStateException("KafkaStreams is not running");
        },
        "host-b:8081");
    assertTrue(ok("/v1/models").path("models").get(1).path("owner").isNull());
  }

  @Test
  void aSnapshotNoNewerThanTheServedOneIsIgnored() throws Exception {
    server.update(newsNewer); // v4 from the app's listener
    server.update("news", news); // v3 read back from the topic later: older, ignored
    assertEquals(4, ok("/v1/model").path("snapshot_version").asLong());
    assertEquals(4, ok("/v1/snapshots").path("snapshots").get(0).path("version").asLong());
    assertEquals(1, ok("/v1/snapshots").path("snapshots").size());
  }
}
