package io.streamvec.app.status;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of the trainer's health: what the metrics topic publishes as JSON and what the
 * Prometheus meters expose. {@link #FIELDS} is the single list of names, so the two always tell the
 * same story. Values are doubles; NaN means "not known yet".
 */
public record TrainingReport(String modelId, long timestampMs, Map<String, Double> values) {

  public enum Kind {
    COUNTER,
    GAUGE
  }

  /** A reported quantity: snake_case name (the JSON field), description, base unit, meter kind. */
  public record Field(String name, String description, String unit, Kind kind) {}

  public static final List<Field> FIELDS =
      List.of(
          new Field("tokens", "tokens the model has seen", "tokens", Kind.COUNTER),
          new Field(
              "trained_tokens", "tokens that produced a gradient step", "tokens", Kind.COUNTER),
          new Field(
              "scored_tokens",
              "tokens scored with the exact softmax before learning (prequential)",
              "tokens",
              Kind.COUNTER),
          new Field("records", "input records trained on", "records", Kind.COUNTER),
          new Field(
              "tokens_per_sec",
              "training throughput over the last interval",
              "tokens/s",
              Kind.GAUGE),
          new Field(
              "cross_entropy_bits",
              "prequential cross-entropy since the start",
              "bits",
              Kind.GAUGE),
          new Field("perplexity", "prequential perplexity since the start", "", Kind.GAUGE),
          new Field(
              "window_cross_entropy_bits",
              "prequential cross-entropy over the last eval-window scored tokens",
              "bits",
              Kind.GAUGE),
          new Field(
              "window_perplexity",
              "prequential perplexity over the last eval-window scored tokens",
              "",
              Kind.GAUGE),
          new Field(
              "top1", "prequential top-1 next-word accuracy since the start", "ratio", Kind.GAUGE),
          new Field(
              "top5", "prequential top-5 next-word accuracy since the start", "ratio", Kind.GAUGE),
          new Field(
              "window_top1", "prequential top-1 accuracy over the window", "ratio", Kind.GAUGE),
          new Field(
              "window_top5", "prequential top-5 accuracy over the window", "ratio", Kind.GAUGE),
          new Field(
              "recent_cross_entropy_bits",
              "prequential cross-entropy of the recent stream (fading, metrics.half-life.tokens), per-token signal calibrated on the exact sample",
              "bits",
              Kind.GAUGE),
          new Field(
              "recent_perplexity",
              "prequential perplexity of the recent stream (2^recent_cross_entropy_bits)",
              "",
              Kind.GAUGE),
          new Field(
              "recent_exact_perplexity",
              "prequential perplexity of the recent exactly scored tokens alone (fading)",
              "",
              Kind.GAUGE),
          new Field(
              "recent_top1",
              "prequential top-1 accuracy of the recent exactly scored tokens (fading; ties as fractions)",
              "ratio",
              Kind.GAUGE),
          new Field(
              "recent_top5",
              "prequential top-5 accuracy of the recent exactly scored tokens (fading; ties as fractions)",
              "ratio",
              Kind.GAUGE),
          new Field(
              "recent_calibration_bits",
              "exact minus per-token cross-entropy on the recent exactly scored tokens: the calibration added to the per-token signal",
              "bits",
              Kind.GAUGE),
          new Field(
              "recent_scored_tokens",
              "exactly scored tokens in the recent horizon (fading sum of weights: the effective sample of recent_top1/5)",
              "tokens",
              Kind.GAUGE),
          new Field(
              "served_perplexity",
              "prequential perplexity of what next-word prediction serves (the model mixed with its bounded n-gram) on the scored tokens since the start; NaN with mixture-order 0",
              "",
              Kind.GAUGE),
          new Field(
              "served_model_perplexity",
              "prequential perplexity of the model alone on the same tokens as served_perplexity",
              "",
              Kind.GAUGE),
          new Field(
              "served_ngram_perplexity",
              "prequential perplexity of the served mixture's bounded Kneser-Ney n-gram alone on the same tokens as served_perplexity",
              "",
              Kind.GAUGE),
          new Field(
              "served_window_perplexity",
              "served_perplexity over the last eval-window scored tokens",
              "",
              Kind.GAUGE),
          new Field(
              "served_model_window_perplexity",
              "served_model_perplexity over the last eval-window scored tokens",
              "",
              Kind.GAUGE),
          new Field(
              "served_ngram_window_perplexity",
              "served_ngram_perplexity over the last eval-window scored tokens",
              "",
              Kind.GAUGE),
          new Field(
              "vocab_size", "words in the vocabulary incl. <unk> and </s>", "words", Kind.GAUGE),
          new Field("admissions", "words admitted to the vocabulary", "words", Kind.COUNTER),
          new Field("evictions", "words evicted from the vocabulary", "words", Kind.COUNTER),
          new Field("learning_rate", "base learning rate", "", Kind.GAUGE),
          new Field("snapshot_version", "version of the last published snapshot", "", Kind.GAUGE),
          new Field(
              "snapshot_bytes",
              "bytes the last snapshot sent (changed row blocks and manifest)",
              "bytes",
              Kind.GAUGE),
          new Field(
              "snapshot_seconds",
              "time from taking the last snapshot to its last slice on the topic",
              "seconds",
              Kind.GAUGE),
          new Field(
              "snapshot_slices",
              "transactions the last snapshot version took (slices of snapshot.slice.bytes)",
              "",
              Kind.GAUGE),
          new Field(
              "checkpoint_seconds",
              "time from taking the last checkpoint to its last slice in the state stores",
              "seconds",
              Kind.GAUGE),
          new Field(
              "checkpoint_bytes",
              "bytes the last checkpoint wrote to the state stores (changed rows, global part)",
              "bytes",
              Kind.GAUGE),
          new Field(
              "checkpoint_records",
              "input records the last checkpoint holds; a crash replays the ones after it",
              "records",
              Kind.GAUGE),
          new Field(
              "replayed_records",
              "input records replayed from the replay log at the last restore",
              "records",
              Kind.GAUGE),
          new Field(
              "dlq_records",
              "input records sent to the dead-letter topic",
              "records",
              Kind.COUNTER));

  public TrainingReport {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public double value(String name) {
    Double v = values.get(name);
    return v == null ? Double.NaN : v;
  }

  /** The metrics-topic record: model_id, timestamp_ms, then every field (NaN as null). */
  public Map<String, Object> toJsonMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model_id", modelId);
    m.put("timestamp_ms", timestampMs);
    for (Field f : FIELDS) {
      double v = value(f.name());
      m.put(
          f.name(),
          Double.isFinite(v)
              ? (v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v)
              : null);
    }
    return m;
  }
}
