package io.streamvec.model.query;

import io.streamvec.model.io.InvalidSnapshotException;
import io.streamvec.model.io.SnapshotChunks;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bytes of a {@link CompactSnapshot}, as the history topic holds them: exactly what the query
 * side keeps in memory, so a snapshot read back answers drift and time-travel queries to the last
 * bit as it did when it was new. Big-endian:
 *
 * <pre>
 * int   magic 'S','V','H','S'
 * int   format version (1)
 * long  snapshot version, long tokens, long timeMs
 * int   M kept words, int n vector size
 * M x { int UTF-8 length, UTF-8 word, float count, float scale, n x byte q }
 * </pre>
 *
 * A record value is one chunk of these bytes ({@link SnapshotChunks}: its own magic, CRC32C, at
 * most maxChunkBytes), so a compact snapshot of any size fits Kafka's record limit.
 */
public final class CompactSnapshotFormat {
  /** 'S','V','H','S' */
  public static final int MAGIC = 0x53564853;

  public static final int VERSION = 1;
  private static final int HEADER_BYTES = 40;

  private CompactSnapshotFormat() {}

  public static byte[] encode(CompactSnapshot c) {
    int m = c.size(), n = c.vectorSize();
    byte[][] words = new byte[m][];
    long size = HEADER_BYTES;
    for (int r = 0; r < m; r++) {
      words[r] = c.word(r).getBytes(StandardCharsets.UTF_8);
      size += 12L + words[r].length + n;
    }
    if (size > Integer.MAX_VALUE)
      throw new IllegalArgumentException("compact snapshot of " + size + " bytes is too large");
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
    b.putInt(MAGIC).putInt(VERSION).putLong(c.version).putLong(c.tokens).putLong(c.timeMs);
    b.putInt(m).putInt(n);
    for (int r = 0; r < m; r++) {
      b.putInt(words[r].length).put(words[r]).putFloat(c.count(r)).putFloat(c.scale(r));
      for (int j = 0; j < n; j++) b.put(c.quantised(r, j));
    }
    return b.array();
  }

  /** The record values of c: chunks of {@link #encode}, each at most maxChunkBytes long. */
  public static List<byte[]> chunks(CompactSnapshot c, int maxChunkBytes) {
    return SnapshotChunks.split(c.version, encode(c), maxChunkBytes);
  }

  /** Parses bytes of {@link #encode}; the message says what is wrong with bytes it refuses. */
  public static CompactSnapshot decode(byte[] bytes) throws InvalidSnapshotException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    try {
      int magic = b.getInt();
      if (magic != MAGIC)
        throw new InvalidSnapshotException(
            String.format(
                "not a streamvec compact snapshot: bad magic %08x (expected %08x = \"SVHS\")",
                magic, MAGIC));
      int format = b.getInt();
      if (format != VERSION)
        throw new InvalidSnapshotException(
            "compact snapshot format version "
                + format
                + (format > VERSION
                    ? " is newer than this reader supports (" + VERSION + "); upgrade streamvec"
                    : " is invalid"));
      long version = b.getLong(), tokens = b.getLong(), timeMs = b.getLong();
      int m = b.getInt(), n = b.getInt();
      if (m < 0 || n < 0 || (long) m * (12 + n) > b.remaining())
        throw new InvalidSnapshotException(
            "compact snapshot is inconsistent: "
                + m
                + " words of "
                + n
                + " numbers cannot fit in "
                + b.remaining()
                + " bytes");
      String[] words = new String[m];
      float[] counts = new float[m], scales = new float[m];
      byte[] vectors = new byte[m * n];
      for (int r = 0; r < m; r++) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining())
          throw new InvalidSnapshotException(
              "compact snapshot is inconsistent: word " + r + " has length " + length);
        byte[] word = new byte[length];
        b.get(word);
        words[r] = new String(word, StandardCharsets.UTF_8);
        counts[r] = b.getFloat();
        scales[r] = b.getFloat();
        b.get(vectors, r * n, n);
      }
      if (b.hasRemaining())
        throw new InvalidSnapshotException(
            "compact snapshot has " + b.remaining() + " bytes after its last word");
      return new CompactSnapshot(version, tokens, timeMs, words, counts, vectors, scales, n);
    } catch (BufferUnderflowException e) {
      throw new InvalidSnapshotException("compact snapshot truncated at byte " + bytes.length);
    }
  }
}
