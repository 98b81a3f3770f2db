package io.streamvec.app.query;

import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models the query API serves, by name: for each, the snapshot served now and its history. The
 * default model (the app's model.id) is always there, served or not; any other appears with its
 * first snapshot. {@link #update} may be called from several threads (the app's snapshot listener,
 * the {@link ModelCatalog}); a request reads one {@link Served} from start to end.
 */
final class ServedModels {
  private static final Logger log = LoggerFactory.getLogger(ServedModels.class);

  /** What one snapshot serves: the query object and the precomputed /v1/model body. */
  record Served(EmbeddingQueries queries, Map<String, Object> info) {}

  /** One model: the snapshot served now (null before the first) and the model's history. */
  static final class Model {
    final AtomicReference<Served> served = new AtomicReference<>();
    final SnapshotHistory history;
    final HistoryEndpoints then;

    Model(SnapshotHistory history) {
      this.history = history;
      this.then = new HistoryEndpoints(history);
    }
  }

  private final String defaultModel;
  private final Supplier<SnapshotHistory> newHistory;
  private final Map<String, Model> models = new ConcurrentHashMap<>();
  private volatile Function<String, String> owners = model -> null;
  private volatile BiConsumer<String, SnapshotHistory> onNew = (name, history) -> {};
  private volatile String instance;

  ServedModels(String defaultModel, SnapshotHistory history, Supplier<SnapshotHistory> newHistory) {
    this.defaultModel = defaultModel;
    this.newHistory = newHistory;
    models.put(defaultModel, new Model(history));
  }

  String defaultName() {
    return defaultModel;
  }

  Model defaultModel() {
    return models.get(defaultModel);
  }

  /**
   * Serves s as model unless a snapshot of the same or a newer version is served already; for a
   * snapshot handed over by this instance's trainer before its transaction commits.
   */
  void update(String model, ModelSnapshot s) {
    update(model, s, false);
  }

  /**
   * Serves s, read committed from the snapshots topic, as model unless a newer version is served,
   * or the same version with the same tokens. The trainer's copy of a version is served before its
   * transaction commits; if that transaction aborts (a fenced task), the restored trainer takes the
   * version again at another token count, and only the topic's copy is the committed one.
   */
  void updateCommitted(String model, ModelSnapshot s) {
    update(model, s, true);
  }

  private void update(String model, ModelSnapshot s, boolean committed) {
    Objects.requireNonNull(s, "snapshot");
    Model m = model(model);
    Served served = m.served.get();
    if (keepsServed(served, s, committed)) return;
    long now = System.currentTimeMillis();
    // the blocks s shares with the served snapshot keep their query scales
    EmbeddingQueries queries = new EmbeddingQueries(s, served == null ? null : served.queries());
    Served next = new Served(queries, ModelInfo.of(model, s, now));
    synchronized (m) {
      // the app's listener and the catalog may both be here: the newer version wins, and the
      // history hears the versions in order
      if (keepsServed(m.served.get(), s, committed)) return;
      m.served.set(next);
      m.history.add(s, now);
    }
  }

  private static boolean keepsServed(Served served, ModelSnapshot s, boolean committed) {
    if (served == null) return false;
    ModelSnapshot old = served.queries().snapshot();
    if (old.version != s.version) return old.version > s.version;
    return !committed || old.tokens == s.tokens;
  }

  /** The model of this name, created (without a served snapshot yet) if new. */
  Model model(String name) {
    Model m = models.get(name);
    if (m != null) return m;
    Model created = new Model(newHistory.get());
    m = models.putIfAbsent(name, created);
    if (m != null) return m;
    onNew.accept(name, created.history);
    return created;
  }

  /** f hears every model's name and history: those there now, then each new one. */
  synchronized void onNewModel(BiConsumer<String, SnapshotHistory> f) {
    onNew = Objects.requireNonNull(f);
    new TreeMap<>(models).forEach((name, m) -> f.accept(name, m.history));
  }

  void owners(Function<String, String> owners, String instance) {
    this.owners = Objects.requireNonNull(owners);
    this.instance = instance;
  }

  /** The model a request names (the default model without model=); 404 listing them if unknown. */
  Model get(String name) {
    Model m = models.get(name == null ? defaultModel : name);
    if (m != null) return m;
    List<String> known = new ArrayList<>(new TreeMap<>(models).keySet());
    throw new ApiException(
        404,
        "unknown model '"
            + name
            + "': no snapshot of it on the snapshots topic; models: "
            + String.join(", ", known)
            + " (see /v1/models)",
        Map.of("models", known));
  }

  /** GET /v1/models: every model, its owner, tokens and the version served, by name. */
  Map<String, Object> list() {
    List<Map<String, Object>> list = new ArrayList<>();
    Function<String, String> ownerOf = owners;
    new TreeMap<>(models)
        .forEach(
            (name, model) -> {
              Served s = model.served.get();
              ModelSnapshot snapshot = s == null ? null : s.queries().snapshot();
              Map<String, Object> e = new LinkedHashMap<>();
              e.put("model", name);
              e.put("owner", owner(ownerOf, name));
              e.put("snapshot_version", snapshot == null ? null : snapshot.version);
              e.put("tokens", snapshot == null ? null : snapshot.tokens);
              e.put("vocab_size", snapshot == null ? null : snapshot.size());
              e.put("dim", snapshot == null ? null : snapshot.dim());
              e.put("served_since_ms", s == null ? null : s.info().get("served_since_ms"));
              list.add(e);
            });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("instance", instance);
    out.put("default_model", defaultModel);
    out.put("models", list);
    return out;
  }

  private static String owner(Function<String, String> ownerOf, String model) {
    try {
      return ownerOf.apply(model);
    } catch (RuntimeException e) {
      // Kafka Streams not running (yet, or any more): who owns the model is not known now
      log.debug("owner of model '{}' not known: {}", model, e.toString());
      return null;
    }
  }
}
