package io.streamvec.model.io;

import io.streamvec.model.ModelSnapshot;
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
  private ModelSnapshot previous;
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
   * a copy whose E and W rows went through the encoding. What the publishing instance serves
   * itself, so that every instance answers alike.
   */
  public ModelSnapshot asPublished(ModelSnapshot s) {
    if (encoding == RowEncoding.FLOAT32) return s;
    FMatrixRMaj e = s.embeddings.copy(), w = s.outputWeights.copy();
    encoding.roundTrip(e.data, 0, e.numRows, e.numCols);
    encoding.roundTrip(w.data, 0, w.numRows, w.numCols);
    return s.withRows(e, w);
  }

  /** Sends the records of snapshot s (blocks first, the manifest last). */
  public void publish(ModelSnapshot s, Sink sink) {
    int d = s.embeddings.numCols, h = s.outputWeights.numCols;
    int r = rowsPerBlock(d, h, maxChunkBytes, encoding);
    boolean full = previous == null || r != rowsPerBlock || !previous.config.equals(s.config);
    int b = SnapshotBlocks.blockCount(s.size(), r);
    blockVersions = Arrays.copyOf(blockVersions, b);
    blockCrcs = Arrays.copyOf(blockCrcs, b);
    lastBytes = 0;
    lastBlocks = 0;
    for (int i = 0; i < b; i++) {
      if (!full && sameBlock(previous, s, i, r)) continue;
      byte[] block = SnapshotBlocks.encodeBlock(s, s.version, i, r, encoding);
      blockVersions[i] = s.version;
      blockCrcs[i] = (int) SnapshotCodec.crc32c(block, 0, block.length);
      send(sink, modelId + "/r/" + i + "/", s.version, block);
      lastBlocks++;
    }
    rowsPerBlock = r;
    byte[] manifest = SnapshotBlocks.encodeManifest(s, r, blockVersions, blockCrcs);
    send(sink, modelId + "/m/", s.version, manifest);
    previous = s;
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
    int d = b.embeddings.numCols, h = b.outputWeights.numCols;
    return Arrays.equals(a.embeddings.data, from * d, to * d, b.embeddings.data, from * d, to * d)
        && Arrays.equals(
            a.outputWeights.data, from * h, to * h, b.outputWeights.data, from * h, to * h);
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
