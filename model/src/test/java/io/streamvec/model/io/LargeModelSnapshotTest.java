package io.streamvec.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * A model of just over 2 GiB of parameters (E and W: 1.1M words x (256 + 256) float32 = 2.25 GB)
 * goes through the snapshot publisher in records no larger than a chunk and slices of the default
 * snapshot.slice.bytes (one transaction each in the app), and every record decodes back to exactly
 * its rows. On demand, in its own JVM with a 4 GB heap (it holds the model once plus one block,
 * ~2.4 GB): mvn -pl model test-compile surefire:test@large-model -DskipLargeModel=false (see
 * model/pom.xml).
 */
class LargeModelSnapshotTest {
  static final int V = 1_100_000, D = 256;

  @Test
  void aModelOverTwoGibibytesPublishesInChunkSizedRecordsThatDecodeToEveryFloat() throws Exception {
    ModelSnapshot s = model();
    long parameterBytes = 4L * V * (D + D);
    assertTrue(parameterBytes > Integer.MAX_VALUE, parameterBytes + " bytes");
    Map<String, ByteArrayOutputStream> parts = new HashMap<>();
    Map<Integer, Integer> blockCrcs = new HashMap<>();
    long[] sent = {0, 0};
    SnapshotBlocks.Manifest[] manifest = {null};
    int chunkBytes = SnapshotChunks.DEFAULT_MAX_CHUNK_BYTES;
    long slice = 8L << 20; // the default snapshot.slice.bytes: one transaction each
    SnapshotPublisher publisher = new SnapshotPublisher("big", chunkBytes);
    publisher.begin(s);
    int slices = 0;
    long biggestSlice = 0;
    while (publisher.publishing()) {
      slices++;
      biggestSlice =
          Math.max(
              biggestSlice,
              publisher.publishSlice(
                  (key, value) -> {
                    assertTrue(value.length <= chunkBytes, key);
                    sent[0] += value.length;
                    sent[1]++;
                    try {
                      SnapshotChunks.Chunk c = SnapshotChunks.parse(value);
                      String payloadKey = key.substring(0, key.lastIndexOf('/'));
                      ByteArrayOutputStream p =
                          parts.computeIfAbsent(payloadKey, k -> new ByteArrayOutputStream());
                      p.write(c.payload());
                      if (key.endsWith("/" + (c.count() - 1))) {
                        byte[] payload = parts.remove(payloadKey).toByteArray();
                        if (payloadKey.startsWith("big/m.")) {
                          manifest[0] = SnapshotBlocks.decodeManifest(payload);
                        } else {
                          SnapshotBlocks.RowBlock b = SnapshotBlocks.decodeBlock(payload);
                          blockCrcs.put(
                              b.index(), (int) SnapshotCodec.crc32c(payload, 0, payload.length));
                          assertRows(s, b);
                        }
                      }
                    } catch (Exception e) {
                      throw new AssertionError(key + ": " + e.getMessage(), e);
                    }
                  },
                  slice));
    }
    assertTrue(sent[0] > Integer.MAX_VALUE, "records of " + sent[0] + " bytes in all");
    // each slice but the last sends at least its budget, and at most one block more
    assertTrue(
        slices >= sent[0] / (slice + chunkBytes) && slices <= sent[0] / slice + 1,
        slices + " slices of " + sent[0] + " bytes");
    assertTrue(biggestSlice <= slice + chunkBytes, "a slice of " + biggestSlice + " bytes");
    SnapshotBlocks.Manifest m = manifest[0];
    assertEquals(V, m.size());
    assertEquals(m.blockVersions().length, blockCrcs.size(), "every block arrived once");
    for (int i = 0; i < m.blockCrcs().length; i++)
      assertEquals(m.blockCrcs()[i], blockCrcs.get(i), "block " + i);
    assertArrayEquals(Arrays.copyOf(s.outputBias.data, V), m.bias());
  }

  static void assertRows(ModelSnapshot s, SnapshotBlocks.RowBlock b) {
    int n = b.words().length;
    long from = (long) b.firstRow() * D;
    assertTrue(
        Arrays.equals(s.embeddings().data, (int) from, (int) (from + n * D), b.e(), 0, n * D)
            && Arrays.equals(
                s.outputWeights().data, (int) from, (int) (from + n * D), b.w(), 0, n * D),
        "rows of block " + b.index());
    for (int r = 0; r < n; r++) assertEquals(s.word(b.firstRow() + r), b.words()[r]);
  }

  static ModelSnapshot model() {
    ModelConfig c =
        ModelConfig.defaults().with("dim", "" + D).with("vocab-size", "" + V).with("context", "2");
    String[] words = new String[V];
    float[] counts = new float[V];
    FMatrixRMaj e = new FMatrixRMaj(V, D), w = new FMatrixRMaj(V, D), b = new FMatrixRMaj(V, 1);
    for (int i = 0; i < V; i++) {
      words[i] = "w" + i;
      counts[i] = V - i;
      b.data[i] = i * 1e-6f;
    }
    // a cheap hash of the index: every float differs from its neighbours
    for (int i = 0; i < e.data.length; i++) {
      e.data[i] = (int) (i * 2654435761L) * 0x1p-31f;
      w.data[i] = (int) (i * 40503L + 7) * 0x1p-31f;
    }
    FMatrixRMaj position = new FMatrixRMaj(2, D);
    return new ModelSnapshot(
        1,
        1,
        c,
        words,
        counts,
        e,
        w,
        b,
        new String[] {"position"},
        new FMatrixRMaj[] {position},
        Map.of("tokens", 1.0),
        null);
  }
}
