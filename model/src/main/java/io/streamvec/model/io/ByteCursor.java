package io.streamvec.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.ejml.data.FMatrixRMaj;

/**
 * Big-endian reads over a byte range that check every length against the bytes that are left
 * *before* allocating, so garbage can never make a reader allocate more than its input's size.
 */
final class ByteCursor {
  private final ByteBuffer buf;
  private final String what;

  /** Reads bytes[from, to); what names the thing being read in error messages ("snapshot"). */
  ByteCursor(byte[] bytes, int from, int to, String what) {
    this.buf = ByteBuffer.wrap(bytes, from, to - from).order(ByteOrder.BIG_ENDIAN);
    this.what = what;
  }

  int position() {
    return buf.position();
  }

  int remaining() {
    return buf.remaining();
  }

  private void need(long n, String field) throws InvalidSnapshotException {
    if (n > buf.remaining()) {
      throw new InvalidSnapshotException(
          what
              + " truncated at byte "
              + buf.limit()
              + ": "
              + field
              + " at byte "
              + buf.position()
              + " needs "
              + n
              + " bytes, only "
              + buf.remaining()
              + " left");
    }
  }

  int readInt(String field) throws InvalidSnapshotException {
    need(4, field);
    return buf.getInt();
  }

  long readLong(String field) throws InvalidSnapshotException {
    need(8, field);
    return buf.getLong();
  }

  double readDouble(String field) throws InvalidSnapshotException {
    need(8, field);
    return buf.getDouble();
  }

  /**
   * A count of items that take at least minBytesEach bytes each: non-negative and fitting in what
   * is left.
   */
  int readCount(String field, int minBytesEach) throws InvalidSnapshotException {
    int at = buf.position();
    int n = readInt(field);
    if (n < 0)
      throw new InvalidSnapshotException(
          what + " is inconsistent: " + field + " at byte " + at + " is negative (" + n + ")");
    need((long) n * minBytesEach, n + " x " + field);
    return n;
  }

  /** int32 byte length + UTF-8 bytes. */
  String readString(String field) throws InvalidSnapshotException {
    int n = readCount(field + " length", 1);
    String s =
        new String(buf.array(), buf.arrayOffset() + buf.position(), n, StandardCharsets.UTF_8);
    buf.position(buf.position() + n);
    return s;
  }

  /** int32 byte length n + n bytes, as a read-only stream over this buffer's array. */
  java.io.DataInputStream readBlock(String field) throws InvalidSnapshotException {
    int n = readCount(field + " length", 1);
    var in = new java.io.ByteArrayInputStream(buf.array(), buf.arrayOffset() + buf.position(), n);
    buf.position(buf.position() + n);
    return new java.io.DataInputStream(in);
  }

  /** The next n bytes as a big-endian buffer of their own; this cursor moves past them. */
  ByteBuffer slice(long n, String field) throws InvalidSnapshotException {
    need(n, field);
    ByteBuffer s = buf.slice().limit((int) n).order(ByteOrder.BIG_ENDIAN);
    buf.position(buf.position() + (int) n);
    return s;
  }

  void readFloats(float[] dst, int n, String field) throws InvalidSnapshotException {
    need(4L * n, field);
    buf.asFloatBuffer().get(dst, 0, n);
    buf.position(buf.position() + 4 * n);
  }

  /** int32 rows, int32 cols, rows*cols float32 row-major. */
  FMatrixRMaj readMatrix(String field) throws InvalidSnapshotException {
    int at = buf.position();
    int rows = readInt(field + " rows"), cols = readInt(field + " cols");
    if (rows < 0 || cols < 0) {
      throw new InvalidSnapshotException(
          what
              + " is inconsistent: "
              + field
              + " at byte "
              + at
              + " has shape "
              + rows
              + "x"
              + cols);
    }
    long n = (long) rows * cols; // < 2^62, so 4n may overflow a long: saturate
    need(
        n > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * n,
        field + " (" + rows + "x" + cols + " floats)");
    FMatrixRMaj m = new FMatrixRMaj(rows, cols);
    readFloats(m.data, (int) n, field);
    return m;
  }
}
