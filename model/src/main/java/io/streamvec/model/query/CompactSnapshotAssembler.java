package io.streamvec.model.query;

import io.streamvec.model.io.InvalidSnapshotException;
import io.streamvec.model.io.SnapshotChunks;
import io.streamvec.model.io.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Puts the chunks of compact snapshots ({@link CompactSnapshotFormat#chunks}) read in log order
 * back together, per model. One writer sends the chunks of one version in index order in one
 * transaction, so they come in order, possibly interleaved with other models' chunks: a chunk that
 * does not continue its model's partial snapshot (the log's retention cut the first ones, a writer
 * died mid-way) drops it. Memory: one partial snapshot per model.
 *
 * <p>Not thread-safe: feed it from one consumer thread.
 */
public final class CompactSnapshotAssembler {
  /** A whole compact snapshot and the position (offset) of its first chunk. */
  public record Completed(CompactSnapshot snapshot, long position) {}

  private static final class Partial {
    final long version, position;
    final int count, total, crc;
    final ByteArrayOutputStream bytes;
    int next = 1;

    Partial(SnapshotChunks.Chunk c, long position) {
      this.version = c.snapshotVersion();
      this.position = position;
      this.count = c.count();
      this.total = c.totalLength();
      this.crc = c.snapshotCrc();
      this.bytes = new ByteArrayOutputStream(c.totalLength());
      bytes.writeBytes(c.payload());
    }

    boolean continuedBy(SnapshotChunks.Chunk c) {
      return c.snapshotVersion() == version
          && c.index() == next
          && c.count() == count
          && c.totalLength() == total
          && c.snapshotCrc() == crc;
    }
  }

  private final Map<String, Partial> partials = new HashMap<>();

  /**
   * Feeds one record value of model found at position; returns the snapshot it completes, null
   * while it is incomplete (or cannot complete). A chunk that is not valid is refused with the
   * reason.
   */
  public Completed accept(String model, byte[] value, long position)
      throws InvalidSnapshotException {
    SnapshotChunks.Chunk c = SnapshotChunks.parse(value);
    Partial p = partials.remove(model);
    if (c.index() == 0) p = new Partial(c, position);
    else if (p != null && p.continuedBy(c)) {
      p.bytes.writeBytes(c.payload());
      p.next++;
    } else return null;
    if (p.next < p.count) {
      partials.put(model, p);
      return null;
    }
    byte[] bytes = p.bytes.toByteArray();
    if (bytes.length != p.total || (int) SnapshotCodec.crc32c(bytes, 0, bytes.length) != p.crc)
      throw new InvalidSnapshotException(
          "compact snapshot version " + p.version + " of model '" + model + "': checksum mismatch");
    CompactSnapshot s = CompactSnapshotFormat.decode(bytes);
    if (s.version != p.version)
      throw new InvalidSnapshotException(
          "compact snapshot says version " + s.version + ", its chunks " + p.version);
    return new Completed(s, p.position);
  }
}
