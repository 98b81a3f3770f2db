package io.streamvec.model.io;

import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.RowBlocks;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * Turns successive snapshots of one model into the records of snapshot format version 3: the row
 * blocks that changed since the last snapshot it published, then the manifest. Pure: the caller
 * sends each (key, value) to the compacted snapshots topic, all of one version in one transaction.
 *
 * <p>Keys: {@code <modelId>/r/<block>/<chunk>} for row blocks, {@code <modelId>/m/<chunk>} for the
 * manifest (each payload is split by {@link SnapshotChunks}, usually into one chunk). Compaction
 * keeps the newest value per key, so the topic always holds every block of the newest manifest.
 *
 * <p>A block is republished when any of its words or E/W floats differs bit for bit from the last
 * published snapshot (or the vocabulary grew into it). The first snapshot after construction (e.g.
 * after a restart) publishes every block: only what this instance published is known to be there.
 * Counts and bias change for every word at almost every step (decay, noise correction), so they
 * travel in the manifest.
 */
public final class SnapshotPublisher {
  /** Receives one record of the snapshots topic. */
  public interface Sink {
    void send(String key, byte[] value);
  }

  private final String modelId;
  private final int maxChunkBytes;
  private final RowEncoding encoding;
  private ModelSnapshot previous; // the last snapshot published, as the learner gave it
  private ModelSnapshot served; // previous as readers assemble it (previous itself for float32)
  private int rowsPerBlock;
  private long[] blockVersions = new long[0];
  private int[] blockCrcs = new int[0];
  private long lastBytes;
  private int lastBlocks;

  public SnapshotPublisher(String modelId, int maxChunkBytes) {
    this(modelId, maxChunkBytes, RowEncoding.FLOAT32);
  }

  /** A publisher whose row blocks carry E and W in the given encoding. */
  public SnapshotPublisher(String modelId, int maxChunkBytes, RowEncoding encoding) {
    this.modelId = modelId;
    this.maxChunkBytes = maxChunkBytes;
    this.encoding = encoding;
  }

  /**
   * Rows per block for d + h float32 per row: one block fits one chunk unless its words are long.
   */
  public static int rowsPerBlock(int d, int h, int maxChunkBytes) {
    return rowsPerBlock(d, h, maxChunkBytes, RowEncoding.FLOAT32);
  }

  /** Rows per block for d + h floats per row in the given encoding. */
  public static int rowsPerBlock(int d, int h, int maxChunkBytes, RowEncoding encoding) {
    int header = encoding == RowEncoding.FLOAT32 ? 36 : 40;
    int payload =
        maxChunkBytes - SnapshotChunks.HEADER_BYTES - SnapshotChunks.TRAILER_BYTES - header;
    long row = encoding.bytes(1, d) + encoding.bytes(1, h) + 4 + 16; // 16: a typical word
    return (int) Math.max(1, payload / row);
  }

  /**
   * s as a reader of this publisher's records assembles it: the same object for float32, otherwise
   * a snapshot whose E and W rows went through the encoding. What the publishing instance serves
   * itself, so that every instance answers alike. For the snapshot just published this is the copy
   * {@link #publish} built: the rows of the blocks it sent, rounded, and the previous copy's row
   * blocks (shared) for the others; for any other snapshot, a rounded copy of the whole of E and W.
   */
  public ModelSnapshot asPublished(ModelSnapshot s) {
    if (encoding == RowEncoding.FLOAT32) return s;
    if (s == previous) return served;
    FMatrixRMaj e = s.embeddingRows().toMatrix(), w = s.outputRows().toMatrix();
    encoding.roundTrip(e.data, 0, e.numRows, e.numCols);
    encoding.roundTrip(w.data, 0, w.numRows, w.numCols);
    return s.withRows(e, w);
  }

  /** Sends the records of snapshot s (blocks first, the manifest last). */
  public void publish(ModelSnapshot s, Sink sink) {
    int d = s.dim(), h = s.outputRows().cols;
    int r = rowsPerBlock(d, h, maxChunkBytes, encoding);
    boolean full = previous == null || r != rowsPerBlock || !previous.config.equals(s.config);
    int b = SnapshotBlocks.blockCount(s.size(), r);
    boolean lossy = encoding != RowEncoding.FLOAT32;
    float[][] servedE = lossy ? new float[b][] : null, servedW = lossy ? new float[b][] : null;
    blockVersions = Arrays.copyOf(blockVersions, b);
    blockCrcs = Arrays.copyOf(blockCrcs, b);
    lastBytes = 0;
    lastBlocks = 0;
    for (int i = 0; i < b; i++) {
      if (!full && sameBlock(previous, s, i, r)) {
        if (lossy) {
          servedE[i] = served.embeddingRows().block(i);
          servedW[i] = served.outputRows().block(i);
        }
        continue;
      }
      byte[] block = SnapshotBlocks.encodeBlock(s, s.version, i, r, encoding);
      blockVersions[i] = s.version;
      blockCrcs[i] = (int) SnapshotCodec.crc32c(block, 0, block.length);
      send(sink, modelId + "/r/" + i + "/", s.version, block);
      lastBlocks++;
      if (lossy) {
        servedE[i] = rounded(s.embeddingRows(), i, r);
        servedW[i] = rounded(s.outputRows(), i, r);
      }
    }
    rowsPerBlock = r;
    byte[] manifest = SnapshotBlocks.encodeManifest(s, r, blockVersions, blockCrcs);
    send(sink, modelId + "/m/", s.version, manifest);
    previous = s;
    served =
        lossy
            ? s.withRows(
                new RowBlocks(s.size(), d, r, servedE), new RowBlocks(s.size(), h, r, servedW))
            : s;
  }

  /** Rows of block i of m (blocks of r rows) as a reader of the encoding gets them back. */
  private float[] rounded(RowBlocks m, int i, int r) {
    int first = i * r, n = Math.min(r, m.rows - first);
    float[] rows = new float[n * m.cols];
    m.copyRows(first, n, rows, 0);
    encoding.roundTrip(rows, 0, n, m.cols);
    return rows;
  }

  private void send(Sink sink, String keyPrefix, long version, byte[] payload) {
    List<byte[]> chunks = SnapshotChunks.split(version, payload, maxChunkBytes);
    for (int c = 0; c < chunks.size(); c++) {
      sink.send(keyPrefix + c, chunks.get(c));
      lastBytes += chunks.get(c).length;
    }
  }

  private static boolean sameBlock(ModelSnapshot a, ModelSnapshot b, int block, int r) {
    int from = block * r, to = Math.min(from + r, b.size());
    if (to > a.size()) return false;
    for (int i = from; i < to; i++) if (!a.word(i).equals(b.word(i))) return false;
    return sameRows(a.embeddingRows(), b.embeddingRows(), from, to)
        && sameRows(a.outputRows(), b.outputRows(), from, to);
  }

  private static boolean sameRows(RowBlocks a, RowBlocks b, int from, int to) {
    int c = a.cols;
    for (int i = from; i < to; i++) {
      int x = (i % a.rowsPerBlock) * c, y = (i % b.rowsPerBlock) * c;
      if (!Arrays.equals(
          a.block(i / a.rowsPerBlock), x, x + c, b.block(i / b.rowsPerBlock), y, y + c))
        return false;
    }
    return true;
  }

  /** Bytes of the records sent by the last {@link #publish}. */
  public long lastBytes() {
    return lastBytes;
  }

  /** Row blocks sent by the last {@link #publish} (of {@link #blockCount()}). */
  public int lastBlocks() {
    return lastBlocks;
  }

  public int blockCount() {
    return blockVersions.length;
  }
}
