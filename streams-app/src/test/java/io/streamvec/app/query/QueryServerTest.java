package io.streamvec.app.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.WordScore;
import io.streamvec.model.text.Tokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The query API over real HTTP (java.net.http) on a free port, serving a small trained model. */
class QueryServerTest {
  static final List<String> SENTENCES =
      List.of(
          "the cat sat on the mat .",
          "the dog sat on the rug .",
          "a king rules the land .",
          "a queen rules the land .",
          "the café serves café au lait .",
          "日本 has 東京 and 大阪 .");
  static ModelSnapshot snapshot;

  final AtomicReference<String> streamsState = new AtomicReference<>("RUNNING");
  final HttpClient http = HttpClient.newHttpClient();
  final ObjectMapper json = new ObjectMapper();
  QueryServer server;

  /** A real learner trained on a few sentences (exact softmax, so it memorises them quickly). */
  static ModelSnapshot trainedSnapshot(long version, int passes) {
    ModelConfig config =
        ModelConfig.defaults()
            .withAll(
                Map.of(
                    "dim",
                    "16",
                    "min-count",
                    "1",
                    "vocab-size",
                    "64",
                    "loss",
                    "softmax",
                    "sample",
                    "0",
                    "seed",
                    "7",
                    "eval-window",
                    "50"));
    Learner learner = new Learner(config);
    Tokenizer tokenizer = new Tokenizer(config.maxLineChars);
    for (int pass = 0; pass < passes; pass++)
      for (String s : SENTENCES) learner.learn(tokenizer.tokenize(s));
    return learner.snapshot(version);
  }

  @BeforeAll
  static void train() {
    snapshot = trainedSnapshot(3, 60);
  }

  @BeforeEach
  void start() {
    server = new QueryServer("127.0.0.1", 0, streamsState::get);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> get(String pathAndQuery) throws Exception {
    return send("GET", pathAndQuery);
  }

  HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  JsonNode body(HttpResponse<String> r) throws Exception {
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        r.headers().toString());
    return json.readTree(r.body());
  }

  void assertError(HttpResponse<String> r, int status, String messagePart) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode b = body(r);
    assertTrue(
        b.path("error").asText().contains(messagePart),
        "error '" + b.path("error").asText() + "' should mention '" + messagePart + "'");
  }

  @Test
  void beforeTheFirstSnapshotModelEndpointsAnswer503ButHealthIsUp() throws Exception {
    for (String p : List.of("/v1/model", "/v1/neighbours?word=cat", "/v1/predict?context=the")) {
      HttpResponse<String> r = get(p);
      assertError(r, 503, "no model yet");
      assertEquals("5", r.headers().firstValue("Retry-After").orElse(""));
    }
    HttpResponse<String> h = get("/health");
    assertEquals(200, h.statusCode());
    assertEquals("UP", body(h).path("status").asText());
    assertFalse(body(h).path("model_loaded").asBoolean());
  }

  @Test
  void modelInfoReportsTheWidthOfTheVectorsQueriesUseNotJustD() {
    ModelConfig config =
        ModelConfig.defaults()
            .withAll(
                Map.of(
                    "dim", "16", "min-count", "1", "vocab-size", "64", "export-vectors", "concat"));
    Learner learner = new Learner(config);
    learner.learn(new Tokenizer(config.maxLineChars).tokenize(SENTENCES.get(0)));
    Map<String, Object> m = ModelInfo.of("default", learner.snapshot(1), 0);
    assertEquals(16, m.get("dim"));
    assertEquals(32, m.get("vector_dim"), "concat: E beside W");
    assertEquals("concat", m.get("export_vectors"));
  }

  @Test
  void modelInfoCarriesSizeStatsAndConfig() throws Exception {
    server.update(snapshot);
    JsonNode m = body(get("/v1/model"));
    assertEquals(3, m.path("snapshot_version").asLong());
    assertEquals(snapshot.tokens, m.path("tokens").asLong());
    assertEquals(snapshot.size(), m.path("vocab_size").asInt());
    assertEquals(16, m.path("dim").asInt());
    assertEquals(16, m.path("vector_dim").asInt(), "export-vectors auto = E + W: d numbers");
    assertEquals("lbl", m.path("encoder").asText());
    double perplexity = snapshot.stats().get("perplexity");
    assertEquals(perplexity, m.path("perplexity").asDouble(), 1e-9 * perplexity);
    for (String stat : snapshot.stats().keySet())
      assertTrue(m.path("stats").has(stat), "stats." + stat);
    assertEquals("softmax", m.path("config").path("loss").asText());
    assertEquals("1", m.path("config").path("min-count").asText());
  }

  @Test
  void neighboursAreTheModelsOwnAnswerBestFirst() throws Exception {
    server.update(snapshot);
    List<WordScore> expected = new EmbeddingQueries(snapshot).neighbours("king", 5);
    JsonNode r = body(get("/v1/neighbours?word=king&k=5"));
    assertEquals("king", r.path("word").asText());
    JsonNode list = r.path("neighbours");
    assertEquals(5, list.size());
    for (int i = 0; i < 5; i++) {
      assertEquals(expected.get(i).word(), list.get(i).path("word").asText());
      assertEquals(expected.get(i).score(), list.get(i).path("similarity").asDouble(), 1e-6);
      if (i > 0)
        assertTrue(
            list.get(i).path("similarity").asDouble()
                <= list.get(i - 1).path("similarity").asDouble());
    }
    assertEquals(
        QueryServer.DEFAULT_K, body(get("/v1/neighbours?word=king")).path("neighbours").size());
  }

  @Test
  void similarityIsSymmetricAndOneForAWordWithItself() throws Exception {
    server.update(snapshot);
    assertEquals(1.0, body(get("/v1/similarity?a=cat&b=cat")).path("similarity").asDouble(), 1e-5);
    double ab = body(get("/v1/similarity?a=cat&b=dog")).path("similarity").asDouble();
    double ba = body(get("/v1/similarity?a=dog&b=cat")).path("similarity").asDouble();
    assertEquals(ab, ba, 1e-12);
    assertEquals(new EmbeddingQueries(snapshot).similarity("cat", "dog"), ab, 1e-12);
  }

  @Test
  void analogyExcludesItsInputs() throws Exception {
    server.update(snapshot);
    JsonNode r = body(get("/v1/analogy?a=king&b=queen&c=cat&k=4"));
    assertEquals(4, r.path("answers").size());
    for (JsonNode a : r.path("answers"))
      assertFalse(List.of("king", "queen", "cat").contains(a.path("word").asText()));
    assertEquals(
        new EmbeddingQueries(snapshot).analogy("king", "queen", "cat", 4).get(0).word(),
        r.path("answers").get(0).path("word").asText());
  }

  @Test
  void predictGivesTheMemorisedNextWordAndProbabilities() throws Exception {
    server.update(snapshot);
    JsonNode r = body(get("/v1/predict?context=" + enc("a king rules the") + "&k=3"));
    JsonNode p = r.path("predictions");
    assertEquals(3, p.size());
    assertEquals("land", p.get(0).path("word").asText(), r.toString());
    double sum = 0;
    for (JsonNode e : p) sum += e.path("probability").asDouble();
    assertTrue(p.get(0).path("probability").asDouble() > 0.5 && sum <= 1 + 1e-5, r.toString());
  }

  @Test
  void utf8WordsArriveIntactEscapedOrPlusEncoded() throws Exception {
    server.update(snapshot);
    assertEquals(
        "東京", body(get("/v1/neighbours?word=" + enc("東京") + "&k=2")).path("word").asText());
    assertEquals("café", body(get("/v1/neighbours?word=caf%C3%A9&k=2")).path("word").asText());
    // '+' is a space; the context is tokenized like training text
    assertEquals(
        "the cat sat on the",
        body(get("/v1/predict?context=the+cat+sat+on+the")).path("context").asText());
    // java.net.http refuses to send these, so they go over a plain socket as a client could send
    // them
    assertRawError("/v1/neighbours?word=%C3%28", "not valid UTF-8");
    // a malformed escape makes the request line an invalid URI: the JDK server itself answers 400
    // (in its own HTML) before any handler runs
    assertTrue(rawGet("/v1/neighbours?word=%G1")[0].contains(" 400 "));
    assertTrue(rawGet("/v1/neighbours?word=abc%4")[0].contains(" 400 "));
    String[] unescaped =
        rawGet("/v1/neighbours?word=café&k=1"); // raw UTF-8 bytes in the request line
    assertTrue(
        unescaped[0].contains(" 200 ") && unescaped[1].contains("\"word\":\"café\""), unescaped[1]);
  }

  @Test
  void boundsAndBadInputAreJsonErrors() throws Exception {
    server.update(snapshot);
    assertError(get("/v1/neighbours"), 400, "'word' is required");
    assertError(get("/v1/neighbours?word=" + "x".repeat(101)), 400, "too long");
    assertEquals(
        404,
        get("/v1/neighbours?word=" + "x".repeat(100)).statusCode()); // 100 is allowed, and unknown
    assertError(get("/v1/neighbours?word=cat&k=0"), 400, "1..100");
    assertError(get("/v1/neighbours?word=cat&k=101"), 400, "1..100");
    assertError(get("/v1/neighbours?word=cat&k=ten"), 400, "whole number");
    assertError(get("/v1/predict?context=" + "a".repeat(1001)), 400, "too long");
    assertEquals(200, get("/v1/predict?context=" + "a+".repeat(500)).statusCode());
    assertError(get("/v1/similarity?a=cat"), 400, "'b' is required");
    assertError(get("/v1/neighbours?word=zebra"), 404, "unknown word 'zebra'");
    assertError(get("/v1/analogy?a=cat&b=dog&c=zebra"), 404, "zebra");
    assertError(get("/v1/nothing"), 404, "no endpoint");
    assertError(get("/index.html"), 404, "no endpoint");
    HttpResponse<String> page = get("/"); // the explorer page
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("/explorer/explorer.js"), page.body());
    assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
    HttpResponse<String> post = send("POST", "/v1/model");
    assertError(post, 405, "read-only");
    assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
    assertError(send("DELETE", "/health"), 405, "DELETE");
    assertError(get("/v1/neighbours?word=" + "%41".repeat(6000)), 400, "query string too long");
  }

  @Test
  void headAnswersHeadersWithoutBody() throws Exception {
    server.update(snapshot);
    HttpResponse<String> r = send("HEAD", "/v1/model");
    assertEquals(200, r.statusCode());
    assertEquals("", r.body());
    assertEquals(404, send("HEAD", "/v1/neighbours?word=zebra").statusCode());
  }

  @Test
  void healthFollowsTheStreamsState() throws Exception {
    server.update(snapshot);
    for (String s : List.of("RUNNING", "REBALANCING")) {
      streamsState.set(s);
      HttpResponse<String> r = get("/health");
      assertEquals(200, r.statusCode());
      assertEquals(s, body(r).path("streams").asText());
      assertEquals(3, body(r).path("snapshot_version").asLong());
    }
    for (String s : List.of("CREATED", "PENDING_ERROR", "ERROR", "NOT_RUNNING")) {
      streamsState.set(s);
      HttpResponse<String> r = get("/health");
      assertEquals(503, r.statusCode());
      assertEquals("DOWN", body(r).path("status").asText());
      assertEquals(s, body(r).path("streams").asText());
    }
  }

  @Test
  void aFailingStateSupplierMeansDown() throws Exception {
    try (QueryServer broken =
        new QueryServer(
            "127.0.0.1",
            0,
            () -> {
              throw new IllegalStateException("closed");
            })) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broken.port() + "/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(503, r.statusCode());
      assertEquals("UNKNOWN", json.readTree(r.body()).path("streams").asText());
    }
  }

  @Test
  void aTakenPortIsAClearError() {
    try (QueryServer second = new QueryServer("127.0.0.1", server.port(), () -> "RUNNING")) {
      throw new AssertionError("a second server bound the same port " + second.port());
    } catch (java.io.UncheckedIOException e) {
      assertTrue(e.getMessage().contains("http.port"), e.getMessage());
    }
  }

  @Test
  void readersKeepGoingWhileSnapshotsAreSwapped() throws Exception {
    server.update(snapshot);
    ModelSnapshot other = trainedSnapshot(4, 1);
    java.util.concurrent.ExecutorService readers =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Long>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 200; i++)
        answers.add(
            readers.submit(
                () -> {
                  HttpResponse<String> r = get("/v1/neighbours?word=cat&k=3");
                  assertEquals(200, r.statusCode(), r.body());
                  return json.readTree(r.body()).path("snapshot_version").asLong();
                }));
      for (int i = 0; i < 20; i++) server.update(i % 2 == 0 ? other : snapshot);
      for (java.util.concurrent.Future<Long> f : answers)
        assertTrue(List.of(3L, 4L).contains(f.get()));
    } finally {
      readers.shutdownNow();
    }
  }

  /** {status line, body} of a GET sent byte for byte as given (UTF-8) over a plain socket. */
  String[] rawGet(String pathAndQuery) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket
          .getOutputStream()
          .write(
              ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new String[] {
        response.substring(0, response.indexOf("\r\n")),
        response.substring(response.indexOf("\r\n\r\n") + 4)
      };
    }
  }

  void assertRawError(String pathAndQuery, String messagePart) throws Exception {
    String[] r = rawGet(pathAndQuery);
    assertTrue(r[0].contains(" 400 "), r[0]);
    assertTrue(json.readTree(r[1]).path("error").asText().contains(messagePart), r[1]);
  }

  static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
