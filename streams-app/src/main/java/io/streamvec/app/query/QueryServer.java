package io.streamvec.app.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamvec.app.query.ServedModels.Served;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.UnknownWordException;
import io.streamvec.model.query.WordScore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only HTTP query API (JDK HttpServer, JSON via Jackson). Queries run against an immutable
 * {@link EmbeddingQueries} that {@link #update} swaps in whole, so a read never blocks training and
 * training never waits for a read; a request sees one snapshot from start to end.
 *
 * <p>It serves every model it is given snapshots of ({@link ModelCatalog} gives it every model on
 * the snapshots topic): each endpoint takes {@code model=NAME}, and without it answers for the
 * default model (the app's model.id). An unknown model is a 404 that lists the models.
 *
 * <pre>
 * GET /v1/models                         every model: owner instance, tokens, snapshot version
 * GET /v1/model                          model info, training statistics, config
 * GET /v1/neighbours?word=W&amp;k=10         nearest words by cosine
 * GET /v1/similarity?a=A&amp;b=B              cosine of two words
 * GET /v1/analogy?a=A&amp;b=B&amp;c=C&amp;k=10      a is to b as c is to ?
 * GET /v1/predict?context=TEXT&amp;k=10      next-word probabilities
 * GET /v1/drift, /v1/snapshots, /v1/words/new, /v1/neighbours?...&amp;version=V|at=TIME
 *                                        the model over time ({@link HistoryEndpoints})
 * GET /health                            200 while Kafka Streams runs (or rebalances), else 503
 * </pre>
 *
 * Errors are JSON {"error": "..."}: 400 bad parameter, 404 unknown word or path, 405 not GET/HEAD,
 * 503 no snapshot yet. Words are at most {@value #MAX_WORD_CHARS} characters, a context at most
 * {@value #MAX_CONTEXT_CHARS}, k in 1..{@value #MAX_K} (default {@value #DEFAULT_K}). Other
 * handlers (the /metrics scrape) can be added to {@link #httpServer()}.
 */
public final class QueryServer implements AutoCloseable {
  public static final int MAX_WORD_CHARS = 100,
      MAX_CONTEXT_CHARS = 1000,
      MAX_K = 100,
      DEFAULT_K = 10;

  /**
   * Worker threads: queries are CPU-bound and short; more threads would only steal cores from
   * training.
   */
  static final int THREADS = 4, QUEUE = 64;

  private static final Logger log = LoggerFactory.getLogger(QueryServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> HEALTHY_STATES = Set.of("RUNNING", "REBALANCING");

  static {
    // The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
    // a keep-alive client's delayed ACK then stalls every answer ~40 ms (measured: 45 ms vs ~1 ms
    // per request). The server reads this property once, when its first instance is created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null)
      System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private interface Endpoint {
    Object answer(QueryParams p, Served m, HistoryEndpoints then);
  }

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final Supplier<String> streamsState;
  private final ServedModels models;
  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  private final Map<String, Supplier<Object>> live = new ConcurrentHashMap<>();

  /**
   * Listens on host:port (0 = any free port) and serves at once; until {@link #update} the model
   * endpoints answer 503.
   */
  public QueryServer(String host, int port, Supplier<String> streamsState) {
    this(host, port, streamsState, new SnapshotHistory(30, 10_000, 20));
  }

  /** As above, remembering past snapshots in history (drift and time-travel queries). */
  public QueryServer(
      String host, int port, Supplier<String> streamsState, SnapshotHistory history) {
    this(host, port, streamsState, "default", history, () -> new SnapshotHistory(30, 10_000, 20));
  }

  /**
   * Serves defaultModel (with history) to requests without model=, and any other model it is given
   * snapshots of, each remembering its past in a newHistory().
   */
  public QueryServer(
      String host,
      int port,
      Supplier<String> streamsState,
      String defaultModel,
      SnapshotHistory history,
      Supplier<SnapshotHistory> newHistory) {
    this.streamsState = streamsState;
    this.models = new ServedModels(defaultModel, history, newHistory);
    endpoints.put("/v1/model", (p, m, then) -> m.info());
    endpoints.put(
        "/v1/neighbours",
        (p, m, then) ->
            p.optional("version") != null || p.optional("at") != null
                ? then.neighboursThen(p)
                : ranked(p, m, "word", MAX_WORD_CHARS, EmbeddingQueries::neighbours, "neighbours"));
    endpoints.put("/v1/drift", (p, m, then) -> then.drift(p));
    endpoints.put("/v1/snapshots", (p, m, then) -> then.snapshots(p));
    endpoints.put("/v1/words/new", (p, m, then) -> then.feed(p));
    endpoints.put("/v1/similarity", (p, m, then) -> similarity(p, m));
    endpoints.put("/v1/analogy", (p, m, then) -> analogy(p, m));
    endpoints.put(
        "/v1/predict",
        (p, m, then) ->
            ranked(p, m, "context", MAX_CONTEXT_CHARS, EmbeddingQueries::predict, "predictions"));
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on "
              + host
              + ":"
              + port
              + " for the query API ("
              + e.getMessage()
              + "); set http.port to a free port, 0 for any, or -1 to turn the API off",
          e);
    }
    AtomicInteger n = new AtomicInteger();
    // bounded: when the workers and the queue are full the accepting thread serves the request
    // itself, which stops it accepting more until it is done (back-pressure, no unbounded queue)
    executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "streamvec-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    executor.allowCoreThreadTimeOut(true);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Serves s from now on. Builds the query object (normalised embeddings, O(V d)) on the calling
   * thread, then swaps it in atomically; requests already running finish on the old snapshot.
   */
  public void update(ModelSnapshot s) {
    update(models.defaultName(), s);
  }

  /**
   * Serves s as model from now on, unless a snapshot of the same or a newer version is served
   * already (the app's own snapshots and those read back from the topic both arrive here).
   */
  public void update(String model, ModelSnapshot s) {
    models.update(model, s);
  }

  /**
   * Serves s, read committed from the snapshots topic, as model: it also replaces a copy of the
   * same version that this instance's trainer handed over before an aborted transaction.
   */
  public void updateCommitted(String model, ModelSnapshot s) {
    models.updateCommitted(model, s);
  }

  /**
   * Who trains each model (host:port of its owner instance, null when not known) and this
   * instance's name, for /v1/models.
   */
  public void owners(Function<String, String> owners, String instance) {
    models.owners(owners, instance);
  }

  /**
   * Serves GET path as the JSON of body.get(), whether or not a model has been published yet (e.g.
   * the training status for the explorer page).
   */
  public void addLive(String path, Supplier<Object> body) {
    live.put(path, body);
  }

  /** The snapshots this server remembers of the default model. */
  public SnapshotHistory history() {
    return models.defaultModel().history;
  }

  /** The history of model (a model not seen yet is listed from now on, without a snapshot). */
  public SnapshotHistory history(String model) {
    return models.model(model).history;
  }

  /** f hears the name and history of every model served: those there now, then each new one. */
  public void onNewModel(java.util.function.BiConsumer<String, SnapshotHistory> f) {
    models.onNewModel(f);
  }

  public HttpServer httpServer() {
    return server;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) executor.shutdownNow();
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange ex) {
    int status;
    Object body;
    try {
      String path = ex.getRequestURI().getPath();
      Endpoint endpoint = endpoints.get(path);
      if (ExplorerPage.serves(path) && ex.getRequestMethod().matches("GET|HEAD")) {
        try {
          ExplorerPage.send(ex, path);
        } catch (IOException e) {
          log.debug("explorer: client went away before the page was sent: {}", e.toString());
        }
        return;
      }
      Supplier<Object> liveBody = live.get(path);
      if (liveBody != null && ex.getRequestMethod().matches("GET|HEAD")) {
        send(ex, 200, liveBody.get());
        return;
      }
      if (endpoint == null && !path.equals("/health") && !path.equals("/v1/models")) {
        throw new ApiException(
            404,
            "no endpoint "
                + path
                + "; try /v1/models, /v1/model, /v1/neighbours, /v1/similarity, /v1/analogy, /v1/predict, /v1/drift, /v1/snapshots, /v1/words/new or /health");
      }
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        throw new ApiException(
            405, "method " + method + " not allowed: the API is read-only (GET or HEAD)");
      }
      if (path.equals("/health")) {
        Map<String, Object> health = health();
        status = "UP".equals(health.get("status")) ? 200 : 503;
        body = health;
      } else if (path.equals("/v1/models")) {
        body = models.list();
        status = 200;
      } else {
        QueryParams params = QueryParams.parse(ex.getRequestURI().getRawQuery());
        ServedModels.Model model = models.get(params.optional("model"));
        Served m = model.served.get();
        if (m == null) {
          ex.getResponseHeaders().set("Retry-After", "5");
          throw new ApiException(
              503,
              "no model yet: the app has not published its first snapshot; try again in a few seconds");
        }
        body = endpoint.answer(params, m, model.then);
        status = 200;
      }
    } catch (ApiException e) {
      status = e.status;
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("error", e.getMessage());
      error.putAll(e.details);
      body = error;
    } catch (UnknownWordException e) {
      status = 404;
      body = Map.of("error", e.getMessage());
    } catch (IllegalArgumentException e) {
      status = 400;
      body = Map.of("error", String.valueOf(e.getMessage()));
    } catch (RuntimeException e) {
      log.error("query API: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      status = 500;
      body = Map.of("error", "internal error: " + e);
    }
    send(ex, status, body);
  }

  private Map<String, Object> health() {
    String state;
    try {
      state = String.valueOf(streamsState.get());
    } catch (RuntimeException e) {
      state = "UNKNOWN";
    }
    Served m = models.defaultModel().served.get();
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("status", HEALTHY_STATES.contains(state) ? "UP" : "DOWN");
    h.put("streams", state);
    h.put("model_loaded", m != null);
    h.put("snapshot_version", m == null ? null : m.queries().snapshot().version);
    return h;
  }

  private static void send(HttpExchange ex, int status, Object body) {
    try (ex) {
      byte[] bytes = JSON.writeValueAsBytes(body);
      ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      if (ex.getRequestMethod().equals("HEAD")) {
        ex.sendResponseHeaders(status, -1);
      } else {
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
      }
    } catch (IOException e) {
      log.debug("query API: client went away before the answer was sent: {}", e.toString());
    }
  }

  private interface Ranking {
    List<WordScore> best(EmbeddingQueries q, String text, int k);
  }

  /**
   * /v1/neighbours (word=, cosine similarities) and /v1/predict (context=, probabilities): the k
   * best words for one text parameter, as the list named listName.
   */
  private static Object ranked(
      QueryParams p, Served m, String param, int maxChars, Ranking ranking, String listName) {
    String text = p.text(param, maxChars);
    int k = p.integer("k", 1, MAX_K, DEFAULT_K);
    String score = param.equals("word") ? "similarity" : "probability";
    return answer(
        m, param, text, "k", k, listName, scores(ranking.best(m.queries(), text, k), score));
  }

  private static Object similarity(QueryParams p, Served m) {
    String a = p.text("a", MAX_WORD_CHARS), b = p.text("b", MAX_WORD_CHARS);
    return answer(m, "a", a, "b", b, "similarity", m.queries().similarity(a, b));
  }

  private static Object analogy(QueryParams p, Served m) {
    String a = p.text("a", MAX_WORD_CHARS),
        b = p.text("b", MAX_WORD_CHARS),
        c = p.text("c", MAX_WORD_CHARS);
    int k = p.integer("k", 1, MAX_K, DEFAULT_K);
    return answer(
        m,
        "a",
        a,
        "b",
        b,
        "c",
        c,
        "k",
        k,
        "answers",
        scores(m.queries().analogy(a, b, c, k), "similarity"));
  }

  /** {"snapshot_version": v, "model": name, key1: value1, ...} in the given order. */
  private static Map<String, Object> answer(Served m, Object... keyValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("snapshot_version", m.queries().snapshot().version);
    out.put("model", m.info().get("model"));
    for (int i = 0; i < keyValues.length; i += 2) out.put((String) keyValues[i], keyValues[i + 1]);
    return out;
  }

  /** Scores are float32 in the model: printed as floats, not as 17-digit widened doubles. */
  private static List<Map<String, Object>> scores(List<WordScore> list, String scoreName) {
    List<Map<String, Object>> out = new ArrayList<>(list.size());
    for (WordScore w : list) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("word", w.word());
      e.put(scoreName, (float) w.score());
      out.add(e);
    }
    return out;
  }
}
