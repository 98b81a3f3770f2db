package io.streamvec.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.text.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A measurement, not a test: what one model is made of in memory, without Kafka. One JVM builds a
 * {@link Learner} at the given model keys, trains it on {@link CapacityText} (every table full),
 * takes its snapshot and the query form of it, and reports the heap each adds (used heap after
 * System.gc(), a few MB of noise), then a JSON line.
 *
 * <pre>
 *   java -Xmx3g -cp ... io.streamvec.app.ModelMemoryParts TOKENS [model key=value ...]
 * </pre>
 */
public final class ModelMemoryParts {
  public static void main(String[] args) throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++)
      keys.put(
          args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
    ModelConfig config = ModelConfig.defaults().withAll(keys);
    List<String> lines = CapacityText.lines(config, Long.parseLong(args[0]), 100);
    long before = usedHeap();
    Learner learner = new Learner(config);
    long empty = usedHeap();
    Tokenizer tokenizer = new Tokenizer(config.maxLineChars);
    List<String> tokens = new ArrayList<>();
    for (String line : lines) {
      tokenizer.tokenize(line, tokens);
      learner.learn(tokens);
    }
    lines = null; // the text is not part of the model
    long trained = usedHeap();
    ModelSnapshot snapshot = learner.snapshot(1);
    long snapshotted = usedHeap();
    EmbeddingQueries queries = new EmbeddingQueries(snapshot);
    long queried = usedHeap();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("keys", keys);
    out.put("vocab_size", snapshot.size());
    out.put("dim", snapshot.dim());
    out.put("learner_empty_mb", mb(empty - before));
    out.put("learner_full_mb", mb(trained - before));
    out.put("snapshot_mb", mb(snapshotted - trained));
    out.put("queries_mb", mb(queried - snapshotted));
    System.out.printf(
        Locale.ROOT,
        "V %d, d %d: learner empty %.1f MB, full %.1f MB; its snapshot %.1f MB; query form %.1f"
            + " MB%n",
        snapshot.size(),
        snapshot.dim(),
        out.get("learner_empty_mb"),
        out.get("learner_full_mb"),
        out.get("snapshot_mb"),
        out.get("queries_mb"));
    System.out.println(new ObjectMapper().writeValueAsString(out));
    // keep every part reachable up to the last reading
    if (learner.hashCode() + queries.hashCode() == 42) System.out.println();
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) System.gc();
    return r.totalMemory() - r.freeMemory();
  }

  private static double mb(long bytes) {
    return Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
  }
}
