package io.streamvec.model.io;

import io.streamvec.model.ModelSnapshot;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Puts snapshot chunks ({@link SnapshotChunks}) read in topic order back together and keeps the
 * newest complete, verified snapshot. Tolerates what a Kafka reader sees: chunks of several
 * snapshots interleaved, duplicates (at-least-once delivery), chunks that never complete (stale
 * chunks left by compaction, aborted writes), older snapshots after newer ones, and garbage. Bad
 * chunks are counted and described ({@link #lastRejection()}), never thrown.
 *
 * <p>Row blocks and manifests (formats 3 and 5, {@link SnapshotBlocks}) go to a {@link DeltaModel},
 * which materialises a manifest once every block it names is at hand; a manifest still waiting for
 * blocks counts as a partial.
 *
 * <p>Memory is bounded: partial snapshots not newer than the latest complete one are dropped, and
 * at most {@code maxPartials} are kept (the oldest version is dropped first); a partial holds only
 * the payloads received so far.
 *
 * <p>Snapshot versions must grow: a writer never reuses or lowers a version. Not thread-safe for
 * {@link #accept}: feed it from one consumer thread; {@link #latest()} may be read from any thread.
 */
public final class SnapshotAssembler {

  public enum Status {
    COMPLETED,
    PENDING,
    DUPLICATE,
    STALE,
    REJECTED
  }

  /** What one chunk did: a new snapshot (COMPLETED), nothing yet, or why it was not used. */
  public record Outcome(Status status, Optional<ModelSnapshot> snapshot, String message) {}

  /**
   * Chunks belong together only if all of these agree (a re-split or rewritten version differs).
   */
  private record Key(long version, int count, int totalLength, int snapshotCrc) {}

  private static final class Partial {
    final TreeMap<Integer, byte[]> payloads = new TreeMap<>();
    long bytes;
  }

  public static final int DEFAULT_MAX_PARTIALS = 4;

  private final int maxPartials;
  private final Map<Key, Partial> partials = new LinkedHashMap<>();
  private final DeltaModel delta = new DeltaModel();
  private volatile ModelSnapshot latest;
  private long completed, duplicates, stale, rejected, droppedPartials;
  private volatile String lastRejection;

  public SnapshotAssembler() {
    this(DEFAULT_MAX_PARTIALS);
  }

  public SnapshotAssembler(int maxPartials) {
    if (maxPartials < 1)
      throw new IllegalArgumentException("maxPartials must be >= 1, got " + maxPartials);
    this.maxPartials = maxPartials;
  }

  /** Feeds one record value; returns the snapshot it completed, if any. */
  public Optional<ModelSnapshot> accept(byte[] chunkValue) {
    return offer(chunkValue).snapshot();
  }

  /** Feeds one record value and says what happened to it. */
  public Outcome offer(byte[] chunkValue) {
    SnapshotChunks.Chunk c;
    try {
      c = SnapshotChunks.parse(chunkValue);
    } catch (InvalidSnapshotException e) {
      return reject(e.getMessage());
    }
    ModelSnapshot current = latest;
    if (current != null && c.snapshotVersion() <= current.version) {
      stale++;
      return new Outcome(
          Status.STALE,
          Optional.empty(),
          "snapshot version " + c.snapshotVersion() + " is not newer than " + current.version);
    }
    Key key = new Key(c.snapshotVersion(), c.count(), c.totalLength(), c.snapshotCrc());
    Partial p = partials.get(key);
    if (p == null) {
      p = new Partial();
      partials.put(key, p);
      evictOldestBeyondCap();
      if (!partials.containsKey(key)) { // it was the oldest itself
        return new Outcome(
            Status.STALE,
            Optional.empty(),
            "snapshot version "
                + c.snapshotVersion()
                + " is older than the "
                + maxPartials
                + " partial snapshots kept");
      }
    }
    if (p.payloads.containsKey(c.index())) {
      duplicates++;
      return new Outcome(
          Status.DUPLICATE,
          Optional.empty(),
          "chunk " + c.index() + " of snapshot version " + c.snapshotVersion() + " seen before");
    }
    p.payloads.put(c.index(), c.payload());
    p.bytes += c.payload().length;
    if (p.bytes > c.totalLength()) {
      partials.remove(key);
      return reject(
          "snapshot version "
              + c.snapshotVersion()
              + ": chunks hold more than the declared "
              + c.totalLength()
              + " bytes");
    }
    if (p.payloads.size() < c.count()) return new Outcome(Status.PENDING, Optional.empty(), "");
    partials.remove(key);
    return complete(key, p);
  }

  private Outcome complete(Key key, Partial p) {
    if (p.bytes != key.totalLength())
      return reject(
          "snapshot version "
              + key.version()
              + ": chunks hold "
              + p.bytes
              + " bytes, header says "
              + key.totalLength());
    byte[] encoded = new byte[key.totalLength()];
    int at = 0;
    for (byte[] payload : p.payloads.values()) {
      System.arraycopy(payload, 0, encoded, at, payload.length);
      at += payload.length;
    }
    if ((int) SnapshotCodec.crc32c(encoded, 0, encoded.length) != key.snapshotCrc()) {
      return reject(
          "snapshot version "
              + key.version()
              + ": whole-snapshot checksum mismatch after assembly");
    }
    ModelSnapshot s;
    boolean blocks = ofBlocks(encoded);
    try {
      s = blocks ? delta(encoded) : SnapshotCodec.decode(encoded);
    } catch (InvalidSnapshotException e) {
      return reject("snapshot version " + key.version() + ": " + e.getMessage());
    }
    if (s == null) return new Outcome(Status.PENDING, Optional.empty(), "");
    if (!blocks && s.version != key.version())
      return reject(
          "chunk headers say snapshot version "
              + key.version()
              + " but the snapshot inside is version "
              + s.version);
    latest = s;
    completed++;
    // Everything not newer than the snapshot just completed can never be used: free it.
    for (Iterator<Key> it = partials.keySet().iterator(); it.hasNext(); ) {
      if (it.next().version() <= s.version) {
        it.remove();
        droppedPartials++;
      }
    }
    return new Outcome(Status.COMPLETED, Optional.of(s), "");
  }

  /**
   * Whether payload is a row block or a manifest (format 3 or 5); otherwise {@link SnapshotCodec}
   * decodes it or says why not.
   */
  private static boolean ofBlocks(byte[] payload) {
    if (payload.length < 8) return false;
    ByteBuffer b = ByteBuffer.wrap(payload);
    int magic = b.getInt(0), format = b.getInt(4);
    return magic == SnapshotBlocks.BLOCK_MAGIC
        || (magic == SnapshotCodec.MAGIC
            && (format == SnapshotBlocks.UNSLOTTED_FORMAT_VERSION
                || format == SnapshotBlocks.FORMAT_VERSION));
  }

  /** Feeds a row block or manifest to the delta model; the model if it completed one. */
  private ModelSnapshot delta(byte[] payload) throws InvalidSnapshotException {
    if (ByteBuffer.wrap(payload).getInt(0) == SnapshotBlocks.BLOCK_MAGIC)
      return delta.block(
          SnapshotBlocks.decodeBlock(payload),
          (int) SnapshotCodec.crc32c(payload, 0, payload.length));
    return delta.manifest(SnapshotBlocks.decodeManifest(payload));
  }

  private void evictOldestBeyondCap() {
    while (partials.size() > maxPartials) {
      Key oldest = null;
      for (Key k : partials.keySet())
        if (oldest == null || k.version() < oldest.version()) oldest = k;
      partials.remove(oldest);
      droppedPartials++;
    }
  }

  private Outcome reject(String message) {
    rejected++;
    lastRejection = message;
    return new Outcome(Status.REJECTED, Optional.empty(), message);
  }

  /** The newest complete snapshot seen so far. */
  public Optional<ModelSnapshot> latest() {
    return Optional.ofNullable(latest);
  }

  public long completedCount() {
    return completed;
  }

  public long duplicateCount() {
    return duplicates;
  }

  public long staleCount() {
    return stale;
  }

  public long rejectedCount() {
    return rejected;
  }

  /** Partial snapshots given up on (superseded or over the cap). */
  public long droppedPartialCount() {
    return droppedPartials;
  }

  /** Partial snapshots, counting a format-3 manifest that waits for row blocks as one. */
  public int partialCount() {
    return partials.size() + (delta.waiting() ? 1 : 0);
  }

  /** Why the last rejected chunk was rejected, or null. */
  public String lastRejection() {
    return lastRejection;
  }
}
