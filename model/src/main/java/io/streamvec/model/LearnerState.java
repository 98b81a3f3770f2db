package io.streamvec.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

/**
 * The checkpoint of a {@link Learner}, in two parts so a stream processor can checkpoint
 * incrementally: a <em>global</em> part (an int version, then what {@link Learner#writeGlobal}
 * writes: config, counters, RNG, vocabulary, context history, meters, encoder parameters, noise
 * weights, mixture) and one fixed-size <em>row</em> per word slot ({@link Learner#writeRow}: E row,
 * W row, b, optimiser accumulators). The learner writes and reads its own state; this class frames
 * and checks it. Restoring both gives a learner that continues bit for bit as the original would
 * have.
 *
 * <p>Checkpoint file: int magic "SVCK", int version, int global length, global bytes, int row
 * count, rows, long CRC32C of everything before it. Big-endian.
 */
public final class LearnerState {
  public static final int MAGIC = 0x5356434B; // "SVCK"
  // 2: fractional top-k ties, recent (fading) metrics; 3: + the served mixture (model + n-gram)
  public static final int VERSION = 3;

  private LearnerState() {}

  /** Size in bytes of one row record for config c. */
  public static int rowBytes(ModelConfig c) {
    return 4 * (c.dim + 1 + c.hiddenSize() + 3);
  }

  public static byte[] global(Learner l) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(VERSION);
      l.writeGlobal(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  /** Writes row r into out (rowBytes(config) bytes). */
  public static void writeRow(Learner l, int r, ByteBuffer out) {
    l.writeRow(r, out.asFloatBuffer());
    out.position(out.position() + rowBytes(l.config()));
  }

  public static byte[] row(Learner l, int r) {
    ByteBuffer b = ByteBuffer.allocate(rowBytes(l.config()));
    writeRow(l, r, b);
    return b.array();
  }

  /** Rebuilds a learner from its global part and rows.apply(r) for every slot r in use. */
  public static Learner restore(byte[] global, IntFunction<byte[]> rows) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(global));
    try {
      int version = in.readInt();
      if (version < 1 || version > VERSION)
        throw new IOException(
            "learner state version "
                + version
                + " is not supported (this build reads "
                + VERSION
                + ")");
      Learner l = Learner.readGlobal(in, version);
      int rb = rowBytes(l.config());
      for (int r = 0; r < l.vocabulary().size(); r++) {
        byte[] row = rows.apply(r);
        if (row == null || row.length != rb)
          throw new IOException(
              "learner state row "
                  + r
                  + " is "
                  + (row == null ? "missing" : row.length + " bytes, expected " + rb));
        l.readRow(r, ByteBuffer.wrap(row).asFloatBuffer());
      }
      return l;
    } catch (EOFException e) {
      throw new IOException("learner state is truncated", e);
    }
  }

  /** A whole checkpoint to a stream (a file): restore + continue is bit-identical. */
  public static void writeCheckpoint(Learner l, OutputStream sink) throws IOException {
    CRC32C crc = new CRC32C();
    DataOutputStream out = new DataOutputStream(new java.util.zip.CheckedOutputStream(sink, crc));
    byte[] g = global(l);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(g.length);
    out.write(g);
    int v = l.vocabulary().size();
    out.writeInt(v);
    ByteBuffer row = ByteBuffer.allocate(rowBytes(l.config()));
    for (int r = 0; r < v; r++) {
      row.clear();
      writeRow(l, r, row);
      out.write(row.array());
    }
    out.flush();
    new DataOutputStream(sink).writeLong(crc.getValue());
    sink.flush();
  }

  public static Learner readCheckpoint(InputStream source) throws IOException {
    CRC32C crc = new CRC32C();
    DataInputStream in = new DataInputStream(new java.util.zip.CheckedInputStream(source, crc));
    try {
      int magic = in.readInt();
      if (magic != MAGIC)
        throw new IOException(
            "not a streamvec checkpoint (magic " + Integer.toHexString(magic) + ")");
      int version = in.readInt();
      if (version < 1 || version > VERSION)
        throw new IOException(
            "checkpoint version "
                + version
                + " is not supported (this build reads "
                + VERSION
                + "); use a newer streamvec");
      int gl = in.readInt();
      if (gl < 0 || gl > (1 << 30))
        throw new IOException("corrupt checkpoint: global part of " + gl + " bytes");
      byte[] g = in.readNBytes(gl);
      if (g.length != gl) throw new EOFException();
      int v = in.readInt();
      if (v < 0 || v > 50_000_000) throw new IOException("corrupt checkpoint: " + v + " rows");
      byte[][] rows = new byte[v][];
      // the row size follows from the config at the start of the global part (after its version
      // int)
      ModelConfig probe =
          ModelConfig.read(new DataInputStream(new ByteArrayInputStream(g, 4, g.length - 4)));
      int rb = rowBytes(probe);
      for (int r = 0; r < v; r++) {
        rows[r] = in.readNBytes(rb);
        if (rows[r].length != rb) throw new EOFException();
      }
      long expected = crc.getValue();
      long stored = new DataInputStream(source).readLong();
      if (stored != expected) throw new IOException("checkpoint is corrupt (checksum mismatch)");
      return restore(g, r -> r < v ? rows[r] : null);
    } catch (EOFException e) {
      throw new IOException("checkpoint is truncated", e);
    }
  }

  static void writeFloats(DataOutputStream out, float[] a, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 * n);
    b.asFloatBuffer().put(a, 0, n);
    out.write(b.array());
  }

  static void readFloats(DataInputStream in, float[] a, int n) throws IOException {
    byte[] raw = new byte[4 * n];
    in.readFully(raw);
    ByteBuffer.wrap(raw).asFloatBuffer().get(a, 0, n);
  }
}
