package io.streamvec.model.io;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.RowBlocks;
import io.streamvec.model.lm.NextWordMixture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;

/**
 * The two payloads of snapshot format version 5 (layout in {@code package-info.java}): a row block
 * (words, E rows, W rows of rows [i R, (i+1) R), in one of the block's two slots) and the manifest
 * (everything else: config, stats, counts, bias, encoder parameters, the served mixture, and the
 * version, CRC32C and slot of every row block the model is made of). Readers also decode format 3
 * (row blocks with float32 rows and manifests, no slots) and 4 (format 3 row blocks in another
 * {@link RowEncoding}), which earlier builds wrote. Shapes: V words, d = config dim, H =
 * config.hiddenSize(), R rows per block, B blocks.
 *
 * <p>No payload holds the whole model: a row block is about R (d + H) floats and a manifest about
 * 2V floats, so models far beyond 2 GiB encode in pieces that fit one Kafka record each.
 */
public final class SnapshotBlocks {
  /** 'S','V','R','B' */
  public static final int BLOCK_MAGIC = 0x53565242;

  /** Row blocks and manifests without slots (float32 rows), which earlier builds wrote. */
  public static final int UNSLOTTED_FORMAT_VERSION = 3;

  /** A format 3 row block whose rows are not float32: the {@link RowEncoding} id follows. */
  public static final int ENCODED_FORMAT_VERSION = 4;

  /** What this build writes: every row block in one of two slots, named by the manifest. */
  public static final int FORMAT_VERSION = 5;

  /** The slot of a format 3 or 4 row block (and of every block its manifest names). */
  public static final int NO_SLOT = -1;

  /** A decoded row block: rows [firstRow, firstRow + words.length), slot 0, 1 or NO_SLOT. */
  public record RowBlock(
      long version,
      int index,
      int slot,
      int firstRow,
      int d,
      int h,
      String[] words,
      float[] e,
      float[] w) {}

  /** A decoded manifest: the model without its row blocks. */
  public record Manifest(
      long version,
      long tokens,
      ModelConfig config,
      Map<String, Double> stats,
      int rowsPerBlock,
      long[] blockVersions,
      int[] blockCrcs,
      int[] blockSlots,
      float[] counts,
      float[] bias,
      String[] encoderNames,
      FMatrixRMaj[] encoderParams,
      NextWordMixture mixture) {
    public int size() {
      return counts.length;
    }
  }

  private SnapshotBlocks() {}

  /** Blocks of R rows for a model of v words. */
  public static int blockCount(int v, int rowsPerBlock) {
    return (int) ((v + (long) rowsPerBlock - 1) / rowsPerBlock);
  }

  /**
   * Block i of s (rows [i R, min((i+1) R, V))) as published in snapshot version into slot (0 or 1),
   * its E and W rows in the given encoding: format 5.
   */
  public static byte[] encodeBlock(
      ModelSnapshot s, long version, int index, int slot, int rowsPerBlock, RowEncoding encoding) {
    if (slot != 0 && slot != 1) throw new IllegalArgumentException("slot " + slot);
    RowBlocks rowsE = s.embeddingRows(), rowsW = s.outputRows();
    int d = rowsE.cols, h = rowsW.cols;
    int first = Math.multiplyExact(index, rowsPerBlock);
    int n = Math.min(rowsPerBlock, s.size() - first);
    byte[][] words = new byte[n][];
    for (int r = 0; r < n; r++) words[r] = SnapshotCodec.utf8(s.word(first + r));
    long size = BLOCK_HEADER_BYTES + SnapshotCodec.stringsSize(words);
    size += encoding.bytes(n, d) + encoding.bytes(n, h);
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.BIG_ENDIAN);
    out.putInt(BLOCK_MAGIC).putInt(FORMAT_VERSION);
    out.putLong(version);
    out.putInt(index).putInt(slot).putInt(first).putInt(n).putInt(d).putInt(h);
    out.putInt(encoding.id);
    for (byte[] w : words) SnapshotCodec.putString(out, w);
    writeRows(out, rowsE, first, n, encoding);
    writeRows(out, rowsW, first, n, encoding);
    return out.array();
  }

  /** Bytes of a format 5 row block before its words. */
  public static final int BLOCK_HEADER_BYTES = 44;

  /** Rows [first, first + n) of m in the encoding (each row is encoded on its own). */
  private static void writeRows(ByteBuffer out, RowBlocks m, int first, int n, RowEncoding enc) {
    for (int r = first; r < first + n; ) {
      int b = r / m.rowsPerBlock, inBlock = r % m.rowsPerBlock;
      int k = Math.min(first + n - r, m.blockRows(b) - inBlock);
      enc.write(out, m.block(b), inBlock * m.cols, k, m.cols);
      r += k;
    }
  }

  public static RowBlock decodeBlock(byte[] bytes) throws InvalidSnapshotException {
    ByteCursor in = new ByteCursor(bytes, 0, bytes.length, "snapshot row block");
    if (in.readInt("magic") != BLOCK_MAGIC)
      throw new InvalidSnapshotException("not a snapshot row block (bad magic)");
    int format = in.readInt("format version");
    if (format != UNSLOTTED_FORMAT_VERSION
        && format != ENCODED_FORMAT_VERSION
        && format != FORMAT_VERSION)
      throw new InvalidSnapshotException(
          "snapshot row block format version "
              + format
              + " is not supported (this reader: 3, 4 and "
              + FORMAT_VERSION
              + ")");
    long version = in.readLong("version");
    int index = in.readInt("block index");
    int slot = format == FORMAT_VERSION ? in.readInt("slot") : NO_SLOT;
    int first = in.readInt("first row");
    int n = in.readCount("row count", 4);
    int d = in.readInt("d"), h = in.readInt("h");
    if (index < 0 || first < 0 || d < 1 || h < 1 || (format == FORMAT_VERSION && slot >>> 1 != 0))
      throw new InvalidSnapshotException("snapshot row block header is inconsistent");
    RowEncoding encoding =
        format == UNSLOTTED_FORMAT_VERSION
            ? RowEncoding.FLOAT32
            : RowEncoding.fromId(in.readInt("encoding"));
    String[] words = new String[n];
    for (int r = 0; r < n; r++) words[r] = in.readString("word");
    if (in.remaining() != encoding.bytes(n, d) + encoding.bytes(n, h))
      throw new InvalidSnapshotException(
          "snapshot row block " + index + " holds " + in.remaining() + " bytes of rows");
    float[] e = new float[n * d], w = new float[n * h];
    encoding.read(in, e, n, d, "E rows");
    encoding.read(in, w, n, h, "W rows");
    return new RowBlock(version, index, slot, first, d, h, words, e, w);
  }

  /**
   * The manifest of s (format 5), whose row blocks are the given versions with the given CRC32Cs,
   * in the given slots (0 or 1).
   */
  public static byte[] encodeManifest(
      ModelSnapshot s, int rowsPerBlock, long[] blockVersions, int[] blockCrcs, int[] blockSlots) {
    Map<String, String> config = s.config.storedMap();
    Map<String, Double> stats = s.stats();
    int v = s.size(), b = blockVersions.length;
    String[] encNames = s.encoderNames();
    FMatrixRMaj[] encParams = s.encoderParams();
    byte[] mixture = SnapshotCodec.mixtureBytes(s);
    long size = SnapshotCodec.HEADER_BYTES + 4 + 8 + 8 + 4 + 4 + 4 + 4 + 16L * b + 8L * v + 4 + 4;
    size += 4 + mixture.length;
    for (Map.Entry<String, String> e : config.entrySet())
      size += 8 + SnapshotCodec.utf8(e.getKey()).length + SnapshotCodec.utf8(e.getValue()).length;
    for (String name : stats.keySet()) size += 12 + SnapshotCodec.utf8(name).length;
    for (int i = 0; i < encNames.length; i++)
      size += 4 + SnapshotCodec.utf8(encNames[i]).length + SnapshotCodec.matrixSize(encParams[i]);
    if (size > Integer.MAX_VALUE - 8)
      throw new IllegalArgumentException("snapshot manifest of " + size + " bytes: V is too large");
    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
    out.putInt(SnapshotCodec.MAGIC).putInt(FORMAT_VERSION).putInt((int) size);
    out.putInt(config.size());
    for (Map.Entry<String, String> e : config.entrySet()) {
      SnapshotCodec.putString(out, SnapshotCodec.utf8(e.getKey()));
      SnapshotCodec.putString(out, SnapshotCodec.utf8(e.getValue()));
    }
    out.putLong(s.version).putLong(s.tokens);
    out.putInt(stats.size());
    for (Map.Entry<String, Double> e : stats.entrySet()) {
      SnapshotCodec.putString(out, SnapshotCodec.utf8(e.getKey()));
      out.putDouble(e.getValue());
    }
    out.putInt(v).putInt(rowsPerBlock).putInt(b);
    for (int i = 0; i < b; i++)
      out.putLong(blockVersions[i]).putInt(blockCrcs[i]).putInt(blockSlots[i]);
    for (int i = 0; i < v; i++) out.putFloat(s.count(i));
    out.asFloatBuffer().put(s.outputBias.data, 0, v);
    out.position(out.position() + 4 * v);
    out.putInt(encNames.length);
    for (int i = 0; i < encNames.length; i++) {
      SnapshotCodec.putString(out, SnapshotCodec.utf8(encNames[i]));
      SnapshotCodec.putMatrix(out, encParams[i]);
    }
    out.putInt(mixture.length).put(mixture);
    out.putInt((int) SnapshotCodec.crc32c(out.array(), 0, out.position()));
    return out.array();
  }

  /** Decodes a manifest; the caller checked magic "SVSN" and format version 3 or 5. */
  public static Manifest decodeManifest(byte[] bytes) throws InvalidSnapshotException {
    ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    boolean slotted = bytes.length >= 8 && header.getInt(4) == FORMAT_VERSION;
    if (bytes.length < SnapshotCodec.HEADER_BYTES + 4 || header.getInt(8) != bytes.length)
      throw new InvalidSnapshotException("snapshot manifest length does not match its header");
    long stored = header.getInt(bytes.length - 4) & 0xFFFFFFFFL;
    if (stored != SnapshotCodec.crc32c(bytes, 0, bytes.length - 4))
      throw new InvalidSnapshotException("snapshot manifest checksum mismatch (corrupt bytes)");
    ByteCursor in =
        new ByteCursor(bytes, SnapshotCodec.HEADER_BYTES, bytes.length - 4, "snapshot manifest");
    ModelConfig config = SnapshotCodec.readConfig(in);
    long version = in.readLong("version"), tokens = in.readLong("tokens");
    Map<String, Double> stats = SnapshotCodec.readStats(in);
    int v = in.readCount("vocabulary size V", 8);
    int rowsPerBlock = in.readInt("rows per block");
    int b = in.readCount("block count", slotted ? 16 : 12);
    if (rowsPerBlock < 1 || b != blockCount(v, rowsPerBlock))
      throw new InvalidSnapshotException(
          "snapshot manifest is inconsistent: " + b + " blocks of " + rowsPerBlock + " rows");
    long[] versions = new long[b];
    int[] crcs = new int[b], slots = new int[b];
    for (int i = 0; i < b; i++) {
      versions[i] = in.readLong("block version");
      crcs[i] = in.readInt("block crc");
      slots[i] = slotted ? in.readInt("block slot") : NO_SLOT;
      if (slotted && slots[i] >>> 1 != 0)
        throw new InvalidSnapshotException("snapshot manifest names slot " + slots[i]);
    }
    float[] counts = new float[v], bias = new float[v];
    in.readFloats(counts, v, "counts");
    in.readFloats(bias, v, "bias");
    SnapshotCodec.EncoderParams encoder = SnapshotCodec.readEncoder(in);
    String[] encNames = encoder.names();
    FMatrixRMaj[] encParams = encoder.params();
    NextWordMixture mixture = SnapshotCodec.readMixture(in);
    if (in.remaining() != 0)
      throw new InvalidSnapshotException(
          "snapshot manifest has " + in.remaining() + " extra bytes");
    SnapshotCodec.checkEncoder(config, encNames, encParams);
    return new Manifest(
        version,
        tokens,
        config,
        stats,
        rowsPerBlock,
        versions,
        crcs,
        slots,
        counts,
        bias,
        encNames,
        encParams,
        mixture);
  }
}
