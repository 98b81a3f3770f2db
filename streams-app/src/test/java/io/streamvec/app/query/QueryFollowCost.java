package io.streamvec.app.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotAssembler;
import io.streamvec.model.io.SnapshotChunks;
import io.streamvec.model.io.SnapshotPublisher;
import io.streamvec.model.nn.ContextEncoder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;

/**
 * A measurement, not a test: what the query side pays to follow a model's versions, without Kafka.
 * A synthetic model of V words (Gaussian E and W, default model keys otherwise, no n-gram mixture)
 * is published version after version with k row blocks changed each time; the query side's path
 * (snapshot assembler, then {@link ServedModels#updateCommitted}: query form, model info, history)
 * follows it while the last R served versions are kept alive (requests still reading them). Reports
 * the median time to apply one version and the heap the query side holds (used heap after
 * System.gc(), minus the generator's share), then a JSON line.
 *
 * <pre>
 *   java -Xmx4g -cp ... io.streamvec.app.query.QueryFollowCost V d versions k R
 * </pre>
 */
public final class QueryFollowCost {
  public static void main(String[] args) throws Exception {
    int v = Integer.parseInt(args[0]), d = Integer.parseInt(args[1]);
    int versions = Integer.parseInt(args[2]), k = Integer.parseInt(args[3]);
    int retain = Integer.parseInt(args[4]);
    ModelConfig c = ModelConfig.defaults().withAll(Map.of("dim", "" + d, "vocab-size", "" + v));
    Random rnd = new Random(1);
    FMatrixRMaj e = gaussian(v, d, rnd), w = gaussian(v, c.hiddenSize(), rnd);
    String[] words = new String[v];
    float[] counts = new float[v];
    for (int i = 0; i < v; i++) {
      words[i] = i == 0 ? "<unk>" : i == 1 ? "</s>" : "w" + i;
      counts[i] = v - i;
    }
    ContextEncoder enc = ContextEncoder.create(c);
    SnapshotPublisher publisher =
        new SnapshotPublisher("m", SnapshotChunks.DEFAULT_MAX_CHUNK_BYTES);
    SnapshotAssembler reader = new SnapshotAssembler();
    ServedModels served =
        new ServedModels(
            "m",
            new SnapshotHistory(4, 1000, 0, true),
            () -> new SnapshotHistory(4, 1000, 0, true));
    ArrayDeque<Object> kept = new ArrayDeque<>();
    long generatorOnly = usedHeap();
    long[] nanos = new long[versions], assembling = new long[versions];
    int blocks = 0;
    for (int version = 1; version <= versions; version++) {
      if (version > 1) {
        e = e.copy();
        w = w.copy();
        int r =
            SnapshotPublisher.rowsPerBlock(
                d, c.hiddenSize(), SnapshotChunks.DEFAULT_MAX_CHUNK_BYTES);
        for (int j = 0; j < k; j++) {
          int row = Math.min(v - 1, rnd.nextInt(blocks) * r);
          e.data[row * d] += 0.5f;
          w.data[row * c.hiddenSize()] -= 0.5f;
        }
      }
      ModelSnapshot s =
          new ModelSnapshot(
              version,
              version * 1000L,
              c,
              words,
              counts,
              e,
              w,
              new FMatrixRMaj(v, 1),
              enc.parameterNames(),
              enc.parameters(),
              Map.of(),
              null);
      List<byte[]> records = new ArrayList<>();
      publisher.publish(s, (key, value) -> records.add(value));
      blocks = publisher.blockCount();
      long t0 = System.nanoTime();
      for (byte[] r : records) reader.accept(r);
      assembling[version - 1] = System.nanoTime() - t0;
      served.updateCommitted("m", reader.latest().orElseThrow());
      nanos[version - 1] = System.nanoTime() - t0;
      kept.addLast(served.get("m").served.get());
      while (kept.size() > retain) kept.removeFirst();
      if (version > 1 && publisher.lastBlocks() > k) throw new IllegalStateException();
    }
    long all = usedHeap();
    long[] later = Arrays.copyOfRange(nanos, 1, versions);
    Arrays.sort(later);
    double applyMs = later[later.length / 2] / 1e6;
    long[] assembled = Arrays.copyOfRange(assembling, 1, versions);
    Arrays.sort(assembled);
    double assembleMs = assembled[assembled.length / 2] / 1e6;
    io.streamvec.model.query.EmbeddingQueries q = served.get("m").served.get().queries();
    long[] neighbours = new long[21], predict = new long[21];
    for (int i = 0; i < 21; i++) {
      long t0 = System.nanoTime();
      q.neighbours("w" + (100 + i), 10);
      neighbours[i] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      q.predict("w" + (200 + i) + " w" + (300 + i), 10);
      predict[i] = System.nanoTime() - t0;
    }
    Arrays.sort(neighbours);
    Arrays.sort(predict);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("v", v);
    out.put("d", d);
    out.put("blocks", blocks);
    out.put("changed", k);
    out.put("kept", retain);
    out.put("apply_ms", round(applyMs));
    out.put("assemble_ms", round(assembleMs));
    out.put("first_ms", round(nanos[0] / 1e6));
    out.put("neighbours_ms", round(neighbours[10] / 1e6));
    out.put("predict_ms", round(predict[10] / 1e6));
    out.put("heap_mb", round((all - generatorOnly) / 1024.0 / 1024.0));
    System.out.printf(
        Locale.ROOT,
        "V %d, d %d, %d blocks, %d changed per version, %d versions kept: apply %.1f ms (median;"
            + " assembling %.1f ms), first %.1f ms; neighbours %.1f ms, predict %.1f ms; query"
            + " side holds %.1f MB%n",
        v,
        d,
        blocks,
        k,
        retain,
        out.get("apply_ms"),
        out.get("assemble_ms"),
        out.get("first_ms"),
        out.get("neighbours_ms"),
        out.get("predict_ms"),
        out.get("heap_mb"));
    System.out.println(new ObjectMapper().writeValueAsString(out));
    if (kept.hashCode() == 42) System.out.println();
  }

  private static double round(double x) {
    return Math.round(x * 10) / 10.0;
  }

  private static FMatrixRMaj gaussian(int rows, int cols, Random rnd) {
    FMatrixRMaj m = new FMatrixRMaj(rows, cols);
    for (int i = 0; i < m.data.length; i++) m.data[i] = (float) (rnd.nextGaussian() * 0.1);
    return m;
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) System.gc();
    return r.totalMemory() - r.freeMemory();
  }
}
