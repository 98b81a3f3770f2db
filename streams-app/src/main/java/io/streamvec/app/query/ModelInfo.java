package io.streamvec.app.query;

import io.streamvec.model.ModelSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of {@code GET /v1/model}, built once per snapshot: identity and size of the model
 * (model, snapshot_version, tokens, vocab_size, dim, encoder, ...), every training statistic the
 * snapshot carries (perplexity, accuracy, ... under their {@code TrainingReport} names), and the
 * hyper-parameters it was trained with. Non-finite numbers ("not known yet") become null so the
 * body stays valid JSON.
 */
final class ModelInfo {
  private ModelInfo() {}

  static Map<String, Object> of(String model, ModelSnapshot s, long servedSinceMs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("snapshot_version", s.version);
    m.put("tokens", s.tokens);
    m.put("vocab_size", s.size());
    m.put("dim", s.dim());
    // what neighbours/similarity/analogy work on: d numbers, or d + H with export-vectors=concat
    m.put("vector_dim", s.wordVectorDim());
    m.put("export_vectors", s.config.exportVectorsName());
    m.put("encoder", s.config.encoder.name().toLowerCase(java.util.Locale.ROOT));
    m.put("loss", s.config.loss.name().toLowerCase(java.util.Locale.ROOT));
    m.put("context", s.config.context);
    // the statistics first under their own names; the identity fields above win on a clash
    // (the snapshot's vocab_size counts the same words, tokens is the same counter)
    Map<String, Object> stats = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : s.stats().entrySet()) {
      stats.put(e.getKey(), number(e.getValue()));
      m.putIfAbsent(e.getKey(), number(e.getValue()));
    }
    m.putIfAbsent("perplexity", null); // always present, null until the model has scored a token
    m.put("stats", stats);
    m.put("config", new LinkedHashMap<>(s.config.asMap()));
    m.put("served_since_ms", servedSinceMs);
    return m;
  }

  /** A JSON-safe number: whole values as integers, NaN and infinities as null. */
  static Object number(Double v) {
    if (v == null || !Double.isFinite(v)) return null;
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return v.longValue();
    return v;
  }
}
