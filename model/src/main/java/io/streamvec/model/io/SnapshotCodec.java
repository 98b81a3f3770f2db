package io.streamvec.model.io;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.RowBlocks;
import io.streamvec.model.lm.NextWordMixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.ejml.data.FMatrixRMaj;

/**
 * {@link ModelSnapshot} to bytes and back, in the format of {@code package-info.java} (big-endian,
 * magic "SVSN", format version 1, total length, CRC32C trailer). Shapes: V words, d = config dim, H
 * = config.hiddenSize(): E (V, d), W (V, H), b (V, 1), encoder parameters as the config's encoder
 * defines them.
 *
 * <p>Decoding checks, in this order: magic, format version, declared length (truncation), CRC32C
 * (corruption), then structure and shapes; every size is checked against the bytes present before
 * anything is allocated, so garbage never causes an OutOfMemoryError.
 */
public final class SnapshotCodec {
  /** 'S','V','S','N' */
  public static final int MAGIC = 0x5356534E;

  /** 2: + the served mixture section; version 1 snapshots are still read (model only). */
  public static final int FORMAT_VERSION = 2;

  /** magic + format version + total length */
  static final int HEADER_BYTES = 12;

  static final int CHECKSUM_BYTES = 4;

  private SnapshotCodec() {}

  public static byte[] encode(ModelSnapshot s) {
    Map<String, String> config = s.config.storedMap(); // lr resolved, never "auto"
    byte[][] configBytes = new byte[2 * config.size()][];
    int c = 0;
    for (Map.Entry<String, String> e : config.entrySet()) {
      configBytes[c++] = utf8(e.getKey());
      configBytes[c++] = utf8(e.getValue());
    }
    Map<String, Double> stats = s.stats();
    byte[][] statNames = new byte[stats.size()][];
    c = 0;
    for (String name : stats.keySet()) statNames[c++] = utf8(name);
    int v = s.size();
    byte[][] words = new byte[v][];
    for (int i = 0; i < v; i++) words[i] = utf8(s.word(i));
    String[] encNames = s.encoderNames();
    FMatrixRMaj[] encParams = s.encoderParams();
    byte[][] encNameBytes = new byte[encNames.length][];
    for (int i = 0; i < encNames.length; i++) encNameBytes[i] = utf8(encNames[i]);

    long size =
        HEADER_BYTES
            + 4
            + stringsSize(configBytes)
            + 8
            + 8
            + 4
            + stringsSize(statNames)
            + 8L * stats.size()
            + 4
            + stringsSize(words)
            + 4L * v
            + 8
            + 4L * v * s.dim()
            + 8
            + 4L * v * s.outputRows().cols
            + matrixSize(s.outputBias)
            + 4
            + stringsSize(encNameBytes)
            + CHECKSUM_BYTES;
    for (FMatrixRMaj p : encParams) size += matrixSize(p);
    byte[] mixture = mixtureBytes(s);
    size += 4 + mixture.length;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "snapshot of "
              + size
              + " bytes exceeds the format's 2 GiB limit; reduce vocab-size or dim");
    }

    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
    out.putInt(MAGIC).putInt(FORMAT_VERSION).putInt((int) size);
    out.putInt(config.size());
    for (byte[] b : configBytes) putString(out, b);
    out.putLong(s.version).putLong(s.tokens);
    out.putInt(stats.size());
    c = 0;
    for (double value : stats.values()) {
      putString(out, statNames[c++]);
      out.putDouble(value);
    }
    out.putInt(v);
    for (byte[] w : words) putString(out, w);
    for (int i = 0; i < v; i++) out.putFloat(s.count(i));
    putRows(out, s.embeddingRows());
    putRows(out, s.outputRows());
    putMatrix(out, s.outputBias);
    out.putInt(encNames.length);
    for (int i = 0; i < encNames.length; i++) {
      putString(out, encNameBytes[i]);
      putMatrix(out, encParams[i]);
    }
    out.putInt(mixture.length).put(mixture);
    out.putInt((int) crc32c(out.array(), 0, out.position()));
    return out.array();
  }

  public static ModelSnapshot decode(byte[] bytes) throws InvalidSnapshotException {
    if (bytes == null) throw new InvalidSnapshotException("no snapshot bytes (null)");
    int length = checkHeader(bytes);
    if (length > bytes.length)
      throw new InvalidSnapshotException(
          "snapshot truncated at byte "
              + bytes.length
              + ": its header declares "
              + length
              + " bytes");
    if (length < bytes.length) {
      throw new InvalidSnapshotException(
          "snapshot has "
              + (bytes.length - length)
              + " trailing bytes after the "
              + length
              + " bytes its header declares");
    }
    long stored = ByteBuffer.wrap(bytes, length - 4, 4).getInt() & 0xFFFFFFFFL;
    long computed = crc32c(bytes, 0, length - 4);
    if (stored != computed) {
      throw new InvalidSnapshotException(
          String.format(
              "snapshot checksum mismatch: stored CRC32C %08x, computed %08x (corrupt bytes)",
              stored, computed));
    }
    int version = ByteBuffer.wrap(bytes).getInt(4);
    return parseBody(
        new ByteCursor(bytes, HEADER_BYTES, length - CHECKSUM_BYTES, "snapshot"), version);
  }

  /** Writes one encoded snapshot; several can follow each other in a stream. */
  public static void write(ModelSnapshot s, OutputStream out) throws IOException {
    out.write(encode(s));
  }

  /**
   * Reads exactly one snapshot (as written by {@link #write}); memory grows only with bytes
   * actually read.
   */
  public static ModelSnapshot read(InputStream in) throws IOException {
    byte[] header = in.readNBytes(HEADER_BYTES);
    int length = checkHeader(header);
    byte[] rest = in.readNBytes(length - HEADER_BYTES);
    byte[] all = new byte[HEADER_BYTES + rest.length];
    System.arraycopy(header, 0, all, 0, HEADER_BYTES);
    System.arraycopy(rest, 0, all, HEADER_BYTES, rest.length);
    return decode(all);
  }

  /** CRC32C (Castagnoli) of bytes[from, to), as an unsigned value. */
  public static long crc32c(byte[] bytes, int from, int to) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, to - from);
    return crc.getValue();
  }

  /**
   * Checks magic, format version and that the declared length is possible; returns the declared
   * length.
   */
  private static int checkHeader(byte[] b) throws InvalidSnapshotException {
    if (b.length >= 4) {
      int magic = ByteBuffer.wrap(b).getInt();
      if (magic != MAGIC)
        throw new InvalidSnapshotException(
            String.format(
                "not a streamvec snapshot: bad magic %08x (expected %08x = \"SVSN\")",
                magic, MAGIC));
    }
    if (b.length < HEADER_BYTES) {
      throw new InvalidSnapshotException(
          "snapshot truncated at byte "
              + b.length
              + ": its header needs "
              + HEADER_BYTES
              + " bytes");
    }
    ByteBuffer h = ByteBuffer.wrap(b);
    int version = h.getInt(4);
    if (version > FORMAT_VERSION) {
      throw new InvalidSnapshotException(
          "snapshot format version "
              + version
              + " is newer than this reader supports ("
              + FORMAT_VERSION
              + "); upgrade streamvec");
    }
    if (version < 1)
      throw new InvalidSnapshotException(
          "snapshot format version " + version + " is invalid (versions start at 1)");
    int length = h.getInt(8);
    if (length < HEADER_BYTES + CHECKSUM_BYTES)
      throw new InvalidSnapshotException(
          "snapshot header declares an impossible length of " + length + " bytes");
    return length;
  }

  static ModelConfig readConfig(ByteCursor in) throws InvalidSnapshotException {
    int nConfig = in.readCount("config entry count", 8);
    Map<String, String> configValues = new LinkedHashMap<>();
    for (int i = 0; i < nConfig; i++)
      configValues.put(in.readString("config key"), in.readString("config value"));
    try {
      return ModelConfig.defaults().withAll(configValues);
    } catch (IllegalArgumentException e) {
      throw new InvalidSnapshotException("snapshot config is invalid: " + e.getMessage(), e);
    }
  }

  static Map<String, Double> readStats(ByteCursor in) throws InvalidSnapshotException {
    int nStats = in.readCount("stats count", 12);
    Map<String, Double> stats = new LinkedHashMap<>();
    for (int i = 0; i < nStats; i++)
      stats.put(in.readString("stat name"), in.readDouble("stat value"));
    return stats;
  }

  private static ModelSnapshot parseBody(ByteCursor in, int formatVersion)
      throws InvalidSnapshotException {
    ModelConfig config = readConfig(in);
    long version = in.readLong("version");
    long tokens = in.readLong("tokens");
    Map<String, Double> stats = readStats(in);
    int v =
        in.readCount("vocabulary size V", 8); // each word: 4-byte length + 4-byte count at least
    String[] words = new String[v];
    for (int i = 0; i < v; i++) words[i] = in.readString("word " + i);
    float[] counts = new float[v];
    in.readFloats(counts, v, "counts");
    FMatrixRMaj e = in.readMatrix("E");
    FMatrixRMaj w = in.readMatrix("W");
    FMatrixRMaj b = in.readMatrix("b");
    EncoderParams encoder = readEncoder(in);
    String[] encNames = encoder.names();
    FMatrixRMaj[] encParams = encoder.params();
    NextWordMixture mixture = formatVersion >= 2 ? readMixture(in) : null;
    if (in.remaining() != 0)
      throw new InvalidSnapshotException(
          "snapshot is inconsistent: " + in.remaining() + " unread bytes before the checksum");

    checkShape("E", e, v, config.dim);
    checkShape("W", w, v, config.hiddenSize());
    checkShape("b", b, v, 1);
    checkEncoder(config, encNames, encParams);
    try {
      return new ModelSnapshot(
          version, tokens, config, words, counts, e, w, b, encNames, encParams, stats, mixture);
    } catch (IllegalArgumentException ex) {
      throw new InvalidSnapshotException("snapshot is inconsistent: " + ex.getMessage(), ex);
    }
  }

  static byte[] mixtureBytes(ModelSnapshot s) {
    if (s.mixture() == null) return new byte[0];
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(1 << 16);
      s.mixture().write(new java.io.DataOutputStream(bytes));
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  /** The encoder's parameters as stored: their count, then each one's name and matrix. */
  record EncoderParams(String[] names, FMatrixRMaj[] params) {}

  static EncoderParams readEncoder(ByteCursor in) throws InvalidSnapshotException {
    int n = in.readCount("encoder parameter count", 12);
    String[] names = new String[n];
    FMatrixRMaj[] params = new FMatrixRMaj[n];
    for (int i = 0; i < n; i++) {
      names[i] = in.readString("encoder parameter name");
      params[i] = in.readMatrix(names[i]);
    }
    return new EncoderParams(names, params);
  }

  /** int32 length L + L bytes of {@link NextWordMixture#write}; L = 0: the model alone. */
  static NextWordMixture readMixture(ByteCursor in) throws InvalidSnapshotException {
    java.io.DataInputStream block = in.readBlock("served mixture");
    try {
      if (block.available() == 0) return null;
      NextWordMixture m = NextWordMixture.read(block);
      if (block.available() != 0)
        throw new InvalidSnapshotException(
            "snapshot is inconsistent: " + block.available() + " unread bytes in the mixture");
      return m;
    } catch (IOException e) {
      throw new InvalidSnapshotException(
          "snapshot's served mixture is invalid: " + e.getMessage(), e);
    }
  }

  static void checkShape(String name, FMatrixRMaj m, int rows, int cols)
      throws InvalidSnapshotException {
    if (m.numRows != rows || m.numCols != cols) {
      throw new InvalidSnapshotException(
          "snapshot has inconsistent shapes: "
              + name
              + " is "
              + m.numRows
              + "x"
              + m.numCols
              + ", expected "
              + rows
              + "x"
              + cols);
    }
  }

  /**
   * The stored encoder parameters must be the ones the config's encoder has (names and shapes). The
   * expected shapes are spelled out here, as the format documents them, instead of built with
   * ContextEncoder.create: a config that passed the checksum but promises a huge encoder must be
   * rejected without allocating it. A test keeps this table equal to the encoders.
   */
  static void checkEncoder(ModelConfig config, String[] names, FMatrixRMaj[] params)
      throws InvalidSnapshotException {
    int p = config.contextPositions(), d = config.dim, h = config.hiddenSize();
    String[] expectedNames;
    int[][] shapes;
    switch (config.encoder) {
      case LBL, CBOW -> {
        expectedNames = new String[] {"position"};
        shapes = new int[][] {{p, d}};
      }
      case BENGIO -> {
        expectedNames = new String[] {"hidden.weights", "hidden.bias"};
        shapes = new int[][] {{h, p * d}, {h, 1}};
      }
      default ->
          throw new InvalidSnapshotException(
              "snapshot format " + FORMAT_VERSION + " does not define encoder " + config.encoder);
    }
    if (names.length != expectedNames.length) {
      throw new InvalidSnapshotException(
          "snapshot has inconsistent shapes: "
              + names.length
              + " encoder parameters, encoder "
              + config.encoder
              + " has "
              + expectedNames.length);
    }
    for (int i = 0; i < names.length; i++) {
      if (!names[i].equals(expectedNames[i])) {
        throw new InvalidSnapshotException(
            "snapshot is inconsistent: encoder parameter "
                + i
                + " is '"
                + names[i]
                + "', expected '"
                + expectedNames[i]
                + "'");
      }
      checkShape(names[i], params[i], shapes[i][0], shapes[i][1]);
    }
  }

  static byte[] utf8(String s) {
    if (s == null)
      throw new IllegalArgumentException("snapshot contains a null string (word, key or name)");
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static long stringsSize(byte[][] strings) {
    long n = 0;
    for (byte[] s : strings) n += 4 + s.length;
    return n;
  }

  static long matrixSize(FMatrixRMaj m) {
    return 8 + 4L * m.numRows * m.numCols;
  }

  static void putString(ByteBuffer out, byte[] s) {
    out.putInt(s.length).put(s);
  }

  /** As {@link #putMatrix}, block by block (no whole copy of a matrix held in row blocks). */
  static void putRows(ByteBuffer out, RowBlocks m) {
    out.putInt(m.rows).putInt(m.cols);
    for (int b = 0; b < m.blockCount(); b++) {
      out.asFloatBuffer().put(m.block(b), 0, m.blockRows(b) * m.cols);
      out.position(out.position() + 4 * m.blockRows(b) * m.cols);
    }
  }

  static void putMatrix(ByteBuffer out, FMatrixRMaj m) {
    int n = m.numRows * m.numCols;
    out.putInt(m.numRows).putInt(m.numCols);
    out.asFloatBuffer().put(m.data, 0, n);
    out.position(out.position() + 4 * n);
  }
}
