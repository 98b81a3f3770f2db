package io.streamvec.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an encoded snapshot into record values small enough for Kafka's default 1 MB record limit,
 * and parses them back ({@link SnapshotAssembler} puts them together). Pure: no Kafka here.
 *
 * <p>A chunk is a 32-byte header, a slice of the encoded snapshot, and a CRC32C of everything
 * before it (layout in {@code package-info.java}). Chunk i carries bytes [i*S, min((i+1)*S, total))
 * with S = maxChunkBytes - 36, so concatenating the payloads in index order gives the encoded
 * snapshot back.
 *
 * <p>Keys: the snapshots topic is compacted and chunk i of every snapshot of a model has the key
 * {@link #chunkKey modelId/i}. Compaction keeps the last value per key, so after compaction keys
 * 0..n-1 hold the chunks of the newest snapshot (n chunks), which is therefore always complete on
 * the topic. If an older snapshot had more chunks, its chunks n, n+1, ... survive too, but they
 * carry the older snapshot version and can never complete (their siblings 0..n-1 were replaced), so
 * readers ignore them; a later snapshot with more chunks overwrites them again. Retention by time
 * could instead delete the only copy of the newest snapshot of an idle model.
 */
public final class SnapshotChunks {
  /** 'S','V','C','H' */
  public static final int MAGIC = 0x53564348;

  public static final int HEADER_VERSION = 1;
  static final int HEADER_BYTES = 32;
  static final int TRAILER_BYTES = 4;

  /**
   * Keeps each record (key, value, headers, batch overhead) under Kafka's 1 MB default
   * max.message.bytes.
   */
  public static final int DEFAULT_MAX_CHUNK_BYTES = 900_000;

  /** Below this, chunk headers would dominate the data. */
  public static final int MIN_MAX_CHUNK_BYTES = 64;

  /** The parsed header of one chunk plus its payload (a slice of the encoded snapshot). */
  public record Chunk(
      long snapshotVersion,
      int index,
      int count,
      int totalLength,
      int snapshotCrc,
      byte[] payload) {}

  private SnapshotChunks() {}

  /** Record key of chunk index of model modelId's snapshots. */
  public static String chunkKey(String modelId, int index) {
    return modelId + "/" + index;
  }

  /**
   * The record values, in index order, of one encoded snapshot; each at most maxChunkBytes long.
   */
  public static List<byte[]> split(long snapshotVersion, byte[] encoded, int maxChunkBytes) {
    if (encoded == null || encoded.length == 0)
      throw new IllegalArgumentException("nothing to split: the encoded snapshot is empty");
    if (maxChunkBytes < MIN_MAX_CHUNK_BYTES)
      throw new IllegalArgumentException(
          "maxChunkBytes must be at least " + MIN_MAX_CHUNK_BYTES + ", got " + maxChunkBytes);
    int slice = maxChunkBytes - HEADER_BYTES - TRAILER_BYTES;
    int count = (int) ((encoded.length + (long) slice - 1) / slice);
    int snapshotCrc = (int) SnapshotCodec.crc32c(encoded, 0, encoded.length);
    List<byte[]> chunks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * slice, n = Math.min(slice, encoded.length - from);
      ByteBuffer b =
          ByteBuffer.allocate(HEADER_BYTES + n + TRAILER_BYTES).order(ByteOrder.BIG_ENDIAN);
      b.putInt(MAGIC)
          .putInt(HEADER_VERSION)
          .putLong(snapshotVersion)
          .putInt(i)
          .putInt(count)
          .putInt(encoded.length)
          .putInt(snapshotCrc);
      b.put(encoded, from, n);
      b.putInt((int) SnapshotCodec.crc32c(b.array(), 0, b.position()));
      chunks.add(b.array());
    }
    return chunks;
  }

  public static List<byte[]> split(long snapshotVersion, byte[] encoded) {
    return split(snapshotVersion, encoded, DEFAULT_MAX_CHUNK_BYTES);
  }

  /** Parses and verifies one record value; the message of the exception says what is wrong. */
  public static Chunk parse(byte[] value) throws InvalidSnapshotException {
    if (value == null) throw new InvalidSnapshotException("snapshot chunk is null (a tombstone?)");
    ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.BIG_ENDIAN);
    if (value.length >= 4 && b.getInt(0) != MAGIC) {
      throw new InvalidSnapshotException(
          String.format(
              "not a streamvec snapshot chunk: bad magic %08x (expected %08x = \"SVCH\")",
              b.getInt(0), MAGIC));
    }
    if (value.length >= 8 && b.getInt(4) > HEADER_VERSION) {
      throw new InvalidSnapshotException(
          "snapshot chunk header version "
              + b.getInt(4)
              + " is newer than this reader supports ("
              + HEADER_VERSION
              + "); upgrade streamvec");
    }
    if (value.length < HEADER_BYTES + TRAILER_BYTES + 1) {
      throw new InvalidSnapshotException(
          "snapshot chunk truncated at byte "
              + value.length
              + ": needs at least "
              + (HEADER_BYTES + TRAILER_BYTES + 1));
    }
    long stored = b.getInt(value.length - TRAILER_BYTES) & 0xFFFFFFFFL;
    long computed = SnapshotCodec.crc32c(value, 0, value.length - TRAILER_BYTES);
    if (stored != computed) {
      throw new InvalidSnapshotException(
          String.format(
              "snapshot chunk checksum mismatch: stored CRC32C %08x, computed %08x (corrupt or truncated chunk)",
              stored, computed));
    }
    int headerVersion = b.getInt(4);
    if (headerVersion < 1)
      throw new InvalidSnapshotException(
          "snapshot chunk header version " + headerVersion + " is invalid");
    long version = b.getLong(8);
    int index = b.getInt(16), count = b.getInt(20), total = b.getInt(24), crc = b.getInt(28);
    int payloadLength = value.length - HEADER_BYTES - TRAILER_BYTES;
    if (count < 1
        || index < 0
        || index >= count
        || total < 1
        || count > total
        || payloadLength > total) {
      throw new InvalidSnapshotException(
          "snapshot chunk is inconsistent: index "
              + index
              + " of "
              + count
              + ", "
              + payloadLength
              + " payload bytes of a "
              + total
              + "-byte snapshot");
    }
    byte[] payload = new byte[payloadLength];
    System.arraycopy(value, HEADER_BYTES, payload, 0, payloadLength);
    return new Chunk(version, index, count, total, crc, payload);
  }
}
