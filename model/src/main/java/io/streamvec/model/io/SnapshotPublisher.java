package io.streamvec.model.io;

import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.RowBlocks;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Turns successive snapshots of one model into the records of snapshot format version 5: the row
 * blocks that changed since the last snapshot it published, then the manifest. Pure: the caller
 * sends each (key, value) to the compacted snapshots topic.
 *
 * <p>A version may be written in slices ({@link #begin}, then {@link #publishSlice} until {@link
 * #publishing} is false), each slice in a transaction of its own, so that no transaction carries
 * more than about one slice of a big model. What makes that safe for readers: every block has two
 * slots, keys {@code <modelId>/r/<block>.<slot>/<chunk>}, and a version writes only the slots the
 * complete manifest does not use; the manifest, keys {@code <modelId>/m.<slot>/<chunk>}, likewise
 * alternates between two slots and comes last, naming the slot, version and CRC of each block. So
 * until the last slice is committed, and forever if the writer dies before it, the compacted topic
 * still holds the previous version whole. The slots of the complete version are the publisher's
 * state ({@link #state}): the caller stores it with each completed version (in the same
 * transaction) and hands it back after a restart ({@link #restoreState}).
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

  /** 'S','V','P','S': the start of {@link #state}. */
  private static final int STATE_MAGIC = 0x53565053;

  private static final int STATE_VERSION = 1;

  private final String modelId;
  private final int maxChunkBytes;
  private final RowEncoding encoding;
  // the complete version: what readers of the topic assemble
  private ModelSnapshot previous; // as the learner gave it
  private ModelSnapshot served; // as readers assemble it (previous itself for float32)
  private int rowsPerBlock;
  private long[] blockVersions = new long[0];
  private int[] blockCrcs = new int[0];
  private BitSet inSlot1 = new BitSet(); // blocks the complete manifest takes from slot 1
  private int manifestSlot = 1; // of the complete manifest: the first one goes to slot 0
  private Version pending; // the version being written, or null
  private long lastBytes;
  private int lastBlocks, lastSlices;

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
    int payload =
        maxChunkBytes
            - SnapshotChunks.HEADER_BYTES
            - SnapshotChunks.TRAILER_BYTES
            - SnapshotBlocks.BLOCK_HEADER_BYTES;
    long row = encoding.bytes(1, d) + encoding.bytes(1, h) + 4 + 16; // 16: a typical word
    return (int) Math.max(1, payload / row);
  }

  /**
   * s as a reader of this publisher's records assembles it: the same object for float32, otherwise
   * a snapshot whose E and W rows went through the encoding. What the publishing instance serves
   * itself, so that every instance answers alike. For the snapshot last published completely this
   * is the copy publishing built: the rows of the blocks it sent, rounded, and the previous copy's
   * row blocks (shared) for the others; for any other snapshot, a rounded copy of E and W.
   */
  public ModelSnapshot asPublished(ModelSnapshot s) {
    if (encoding == RowEncoding.FLOAT32) return s;
    if (s == previous) return served;
    return s.withRows(roundedAll(s.embeddingRows()), roundedAll(s.outputRows()));
  }

  /** Sends every record of snapshot s (blocks first, the manifest last) at once. */
  public void publish(ModelSnapshot s, Sink sink) {
    begin(s);
    publishSlice(sink, Long.MAX_VALUE);
  }

  /** Starts publishing s; {@link #publishSlice} sends its records. */
  public void begin(ModelSnapshot s) {
    if (pending != null)
      throw new IllegalStateException(
          "snapshot version " + pending.s.version + " is still being published");
    pending = new Version(s);
  }

  /** Whether a version is being published: begun, its manifest not yet all sent. */
  public boolean publishing() {
    return pending != null;
  }

  /** The version being published, or null. */
  public ModelSnapshot current() {
    return pending == null ? null : pending.s;
  }

  /**
   * Sends the next records of the version being published, about budget bytes (at least one record
   * when any is left): changed blocks in index order, then the manifest's chunks. After the last
   * chunk the version is the complete one ({@link #state}, {@link #asPublished}). Returns the bytes
   * sent (0 when nothing is being published).
   */
  public long publishSlice(Sink sink, long budget) {
    Version p = pending;
    if (p == null) return 0;
    long bytes = 0;
    while (p.next < p.b && bytes < budget) bytes += p.block(p.next++, sink);
    if (p.next < p.b) return p.sent(bytes);
    if (p.manifest == null) {
      int[] slots = new int[p.b];
      for (int i = 0; i < p.b; i++) slots[i] = p.slots.get(i) ? 1 : 0;
      p.manifest =
          SnapshotChunks.split(
              p.s.version,
              SnapshotBlocks.encodeManifest(p.s, p.r, p.versions, p.crcs, slots),
              maxChunkBytes);
    }
    String prefix = modelId + "/m." + (1 - manifestSlot) + "/";
    while (p.chunk < p.manifest.size() && bytes < budget) {
      byte[] chunk = p.manifest.get(p.chunk);
      sink.send(prefix + p.chunk++, chunk);
      bytes += chunk.length;
    }
    p.sent(bytes);
    if (p.chunk == p.manifest.size()) complete(p);
    return bytes;
  }

  private void complete(Version p) {
    ModelSnapshot s = p.s;
    previous = s;
    served =
        p.servedE == null
            ? s
            : s.withRows(
                new RowBlocks(s.size(), s.dim(), p.r, p.servedE),
                new RowBlocks(s.size(), s.outputRows().cols, p.r, p.servedW));
    rowsPerBlock = p.r;
    blockVersions = p.versions;
    blockCrcs = p.crcs;
    inSlot1 = p.slots;
    manifestSlot = 1 - manifestSlot;
    lastBytes = p.bytes;
    lastBlocks = p.blocks;
    lastSlices = p.slices;
    pending = null;
  }

  /** One version being written: which blocks went out, into which slots, and the served copy. */
  private final class Version {
    final ModelSnapshot s;
    final int r, b;
    final boolean full;
    final long[] versions;
    final int[] crcs;
    final BitSet slots; // of the new manifest
    final float[][] servedE, servedW; // null for float32
    int next, chunk, blocks, slices;
    long bytes;
    List<byte[]> manifest;

    Version(ModelSnapshot s) {
      this.s = s;
      r = rowsPerBlock(s.dim(), s.outputRows().cols, maxChunkBytes, encoding);
      b = SnapshotBlocks.blockCount(s.size(), r);
      full = previous == null || r != rowsPerBlock || !previous.config.equals(s.config);
      versions = Arrays.copyOf(blockVersions, b);
      crcs = Arrays.copyOf(blockCrcs, b);
      slots = inSlot1.get(0, b);
      boolean lossy = encoding != RowEncoding.FLOAT32;
      servedE = lossy ? new float[b][] : null;
      servedW = lossy ? new float[b][] : null;
    }

    /** Sends block i if it changed, into the slot the complete manifest does not use. */
    long block(int i, Sink sink) {
      if (!full && sameBlock(previous, s, i, r)) {
        if (servedE != null) {
          servedE[i] = served.embeddingRows().block(i);
          servedW[i] = served.outputRows().block(i);
        }
        return 0;
      }
      int slot = inSlot1.get(i) ? 0 : 1;
      byte[] block = SnapshotBlocks.encodeBlock(s, s.version, i, slot, r, encoding);
      versions[i] = s.version;
      crcs[i] = (int) SnapshotCodec.crc32c(block, 0, block.length);
      slots.set(i, slot == 1);
      blocks++;
      if (servedE != null) {
        servedE[i] = rounded(s.embeddingRows(), i, r);
        servedW[i] = rounded(s.outputRows(), i, r);
      }
      long sent = 0;
      List<byte[]> chunks = SnapshotChunks.split(s.version, block, maxChunkBytes);
      for (int c = 0; c < chunks.size(); c++) {
        sink.send(modelId + "/r/" + i + "." + slot + "/" + c, chunks.get(c));
        sent += chunks.get(c).length;
      }
      return sent;
    }

    long sent(long sliceBytes) {
      bytes += sliceBytes;
      slices++;
      return sliceBytes;
    }
  }

  /**
   * What a restarted publisher needs to know of the complete version: the slot of its manifest and
   * of each of its blocks. Magic "SVPS", int32 version 1, int32 manifest slot, int32 B, int32 L, L
   * bytes: the blocks in slot 1 as a little-endian bit set ({@link BitSet#toByteArray}).
   */
  public byte[] state() {
    byte[] bits = inSlot1.toByteArray();
    return ByteBuffer.allocate(20 + bits.length)
        .putInt(STATE_MAGIC)
        .putInt(STATE_VERSION)
        .putInt(manifestSlot)
        .putInt(blockVersions.length)
        .putInt(bits.length)
        .put(bits)
        .array();
  }

  /**
   * Continues from the complete version that {@link #state} described; null (nothing published with
   * slots yet) leaves every slot free. The next version republishes every block.
   */
  public void restoreState(byte[] state) {
    if (pending != null || previous != null)
      throw new IllegalStateException("restore the state of a new publisher");
    if (state == null) return;
    ByteBuffer in = ByteBuffer.wrap(state);
    if (state.length < 20 || in.getInt() != STATE_MAGIC || in.getInt() != STATE_VERSION)
      throw new IllegalArgumentException(
          "is not a snapshot publisher state this build reads (magic SVPS, version "
              + STATE_VERSION
              + ")");
    int slot = in.getInt(), b = in.getInt(), length = in.getInt();
    if (slot >>> 1 != 0 || b < 0 || length != in.remaining())
      throw new IllegalArgumentException("is an inconsistent snapshot publisher state");
    manifestSlot = slot;
    inSlot1 = BitSet.valueOf(in);
    blockVersions = new long[b];
    blockCrcs = new int[b];
  }

  /** Rows of block i of m (blocks of r rows) as a reader of the encoding gets them back. */
  private float[] rounded(RowBlocks m, int i, int r) {
    int first = i * r, n = Math.min(r, m.rows - first);
    float[] rows = new float[n * m.cols];
    m.copyRows(first, n, rows, 0);
    encoding.roundTrip(rows, 0, n, m.cols);
    return rows;
  }

  /** All of m as a reader of the encoding gets it back, in m's blocks. */
  private RowBlocks roundedAll(RowBlocks m) {
    float[][] blocks = new float[SnapshotBlocks.blockCount(m.rows, m.rowsPerBlock)][];
    for (int i = 0; i < blocks.length; i++) blocks[i] = rounded(m, i, m.rowsPerBlock);
    return new RowBlocks(m.rows, m.cols, m.rowsPerBlock, blocks);
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

  /** Bytes of the records of the last version published completely. */
  public long lastBytes() {
    return lastBytes;
  }

  /** Row blocks sent for the last version published completely (of {@link #blockCount()}). */
  public int lastBlocks() {
    return lastBlocks;
  }

  /** Slices the last version published completely took. */
  public int lastSlices() {
    return lastSlices;
  }

  public int blockCount() {
    return blockVersions.length;
  }
}
