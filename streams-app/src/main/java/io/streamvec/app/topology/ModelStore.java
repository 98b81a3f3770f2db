package io.streamvec.app.topology;

import io.streamvec.app.topology.ModelStateReader.Meta;
import io.streamvec.model.Learner;
import io.streamvec.model.LearnerState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One model's durable state in logged (changelogged) stores, written in the same Kafka transaction
 * as the outputs and input offsets, so after a crash they hold exactly the state of the last
 * commit. Three parts, each in a store of its own for model.id, under a prefix of the shared store
 * for the other models ({@link ModelTables}):
 *
 * <ul>
 *   <li>{@code model-rows}: two slots per row, keys r and -r-1 ({@link ModelStateReader#rowKey}),
 *       each {@link LearnerState#row} bytes (~0.8 kB at d = 100) followed by the record count of
 *       the checkpoint that wrote it; only rows changed since the previous checkpoint are written,
 *       into the slot the complete checkpoint does not use;
 *   <li>{@code model-global}: {@link LearnerState#global} cut into pieces of at most {@link
 *       #PIECE_BYTES} (a changelog record must stay under Kafka's 1 MB) in two slots,
 *       "g/0".."g/n-1" and "g1/0".."g1/n-1", plus "meta": the complete checkpoint's piece count (0
 *       until the first checkpoint: snapshots are published before it), slot and record, and the
 *       app's counters (snapshot version, tokens at the last snapshot); "snapshot-publisher": the
 *       slots of the last complete snapshot version on the snapshots topic;
 *   <li>{@code replay-log}: the token lines of every record since the checkpoint, in batches of up
 *       to {@link #BATCH_LINES} lines: sequence number of the first line -> the lines joined by
 *       '\n' (token lines never hold one), UTF-8. A batch is rewritten as it grows, at most once
 *       per commit ({@link DeferredPutStore}: the open batch is put as it stands when Kafka Streams
 *       flushes the caches before committing), so a line costs a fraction of a changelog record
 *       instead of a record and a tombstone of its own (profiled: the per-line puts and the deletes
 *       at each checkpoint kept the learner waiting), and its own bytes on the stream thread, not a
 *       copy of the batch. The batch is kept as bytes and each line encoded once.
 * </ul>
 *
 * A checkpoint is the model's rows at one record, which for a big model are gigabytes, so it is
 * written in slices of a bounded size, one per commit ({@link #writeSlice}), into the slots the
 * last complete checkpoint does not use; its last slice makes it the checkpoint in the one "meta"
 * record and cuts the replay log. Until then the previous checkpoint and the replay log since it
 * stay complete, so a crash at any slice restores exactly. Restore ({@link ModelStateReader}) =
 * rows + global as of the complete checkpoint, or a new learner while there is none, then the
 * replay log in sequence order: the same learner, bit for bit, as the one that processed those
 * records without interruption.
 */
final class ModelStore {
  static final int PIECE_BYTES = 512 * 1024;
  static final int BATCH_LINES = 64;

  /** A batch stops growing at this many bytes, so rewriting it stays cheap even for long lines. */
  static final int BATCH_BYTES = 64 * 1024;

  private final ModelTables tables;
  private Meta meta = Meta.EMPTY;
  private BitSet inSlot1 = new BitSet(); // rows whose value of the complete checkpoint is in slot 1
  private final List<Integer> stale = new ArrayList<>(); // row keys of an incomplete checkpoint
  private Pending pending; // the checkpoint being written, or null

  /**
   * The replay batches in the store, oldest first: {first sequence, last sequence}; the last one is
   * open.
   */
  private final ArrayDeque<long[]> batches = new ArrayDeque<>();

  private byte[] openBatch =
      new byte[4096]; // the open batch's UTF-8 bytes: openBatchLength of them
  private int openBatchLength;
  private boolean batchOpen;
  private char[] scratch = new char[64]; // a token's chars while it is encoded
  private final Supplier<byte[]> openBatchValue = this::openBatchBytes;

  ModelStore(ModelTables tables) {
    this.tables = tables;
  }

  ModelStore(
      KeyValueStore<Integer, byte[]> rows,
      KeyValueStore<String, byte[]> global,
      KeyValueStore<Long, byte[]> replay) {
    this(ModelTables.own(rows, global, replay));
  }

  Meta meta() {
    return meta;
  }

  /**
   * The trainer as the stores hold it: the learner of the last checkpoint (null when none was
   * written yet: a new learner then replays the whole log) and the lines logged since.
   */
  ModelStateReader.Restored restore() {
    ModelStateReader.Restored restored =
        ModelStateReader.read(
            StoredState.of(tables::global, tables::row, tables::forEachReplay, tables::locate));
    meta = restored.meta();
    batches.clear();
    batches.addAll(restored.batches());
    batchOpen = false;
    inSlot1 = restored.inSlot1();
    stale.clear();
    stale.addAll(restored.staleRows());
    pending = null;
    return restored;
  }

  /**
   * Logs the line of record number sequence (they come in order, one by one). The open batch goes
   * into the store as it stands at the next commit, so a line costs its own bytes, not the batch's;
   * a batch that closes goes in at once, and its buffer takes the next one.
   */
  void append(long sequence, TokenLine line) {
    boolean sameBatch = batchOpen && sequence - batches.peekLast()[0] < BATCH_LINES;
    room(1 + line.maxUtf8Length());
    int tokenChars = line.maxTokenChars();
    if (scratch.length < tokenChars) scratch = new char[Math.max(tokenChars, 2 * scratch.length)];
    // encoded in place after the open batch (and its '\n'), then moved if it starts a batch
    int start = sameBatch ? openBatchLength + 1 : openBatchLength;
    int length = line.writeUtf8(openBatch, start, scratch) - start;
    if (!sameBatch || openBatchLength + 1 + length > BATCH_BYTES) {
      if (batchOpen) tables.putReplay(batches.peekLast()[0], openBatchBytes());
      System.arraycopy(openBatch, start, openBatch, 0, length);
      batches.addLast(new long[] {sequence, sequence});
      openBatchLength = length;
      batchOpen = true;
    } else {
      openBatch[openBatchLength] = '\n';
      openBatchLength = start + length;
      batches.peekLast()[1] = sequence;
    }
    tables.putReplayLater(batches.peekLast()[0], openBatchValue);
  }

  private byte[] openBatchBytes() {
    return Arrays.copyOf(openBatch, openBatchLength);
  }

  /** Grows the open batch's buffer to take bytes more after its end. */
  private void room(int bytes) {
    if (openBatchLength + bytes > openBatch.length)
      openBatch = Arrays.copyOf(openBatch, Math.max(2 * openBatch.length, openBatchLength + bytes));
  }

  /**
   * The learner's state after {@code records} records, as bytes: the rows changed since the last
   * capture (their marks are cleared), each tagged with records, and the global part. Touches no
   * store, so the learner thread can take it at the exact record while the stream thread goes on.
   * The copy costs the changed rows' bytes of heap until they are written: at most the model's rows
   * once (only one checkpoint is in flight).
   */
  static CheckpointImage capture(Learner learner, long records) {
    long t0 = System.nanoTime();
    int[] changed = learner.dirtyRows().toArray();
    int rowBytes = LearnerState.rowBytes(learner.config());
    byte[][] rowValues = new byte[changed.length][];
    for (int i = 0; i < changed.length; i++) {
      ByteBuffer value = ByteBuffer.allocate(rowBytes + ModelStateReader.TAG_BYTES);
      LearnerState.writeRow(learner, changed[i], value);
      rowValues[i] = value.putLong(records).array();
    }
    learner.clearDirtyRows();
    return new CheckpointImage(
        records,
        changed,
        rowValues,
        LearnerState.global(learner),
        learner.vocabulary().size(),
        System.nanoTime() - t0);
  }

  /**
   * A checkpoint not yet written: the state after {@code records} records, rows tagged with it;
   * words = vocabulary slots in use then; captureNanos = time to take it.
   */
  record CheckpointImage(
      long records, int[] rows, byte[][] rowBytes, byte[] global, int words, long captureNanos) {}

  /** Starts writing image as the next checkpoint, slice by slice ({@link #writeSlice}). */
  void begin(CheckpointImage image) {
    if (pending != null)
      throw new IllegalStateException(
          "checkpoint of record " + pending.image.records() + " is still being written");
    pending = new Pending(image, 1 - meta.globalSlot());
  }

  /** Whether a checkpoint is being written: begun and not yet complete. */
  boolean writing() {
    return pending != null;
  }

  /** Writes image as one slice: tests, and callers that need no bound. */
  void write(CheckpointImage image) {
    begin(image);
    writeSlice(Long.MAX_VALUE);
  }

  /**
   * Writes the next part of the checkpoint being written, about budget bytes (at least one row or
   * piece), into the slots the complete checkpoint does not use; the last part makes it the
   * checkpoint: meta names its global slot and record, and the replay log drops the records it
   * holds. Each part goes into the transaction of the caller's commit, so a transaction carries a
   * bounded part of any model, and a crash between parts leaves the last complete checkpoint and
   * the replay log since it, which restore exactly. Returns the bytes written (0 when none is
   * pending).
   */
  long writeSlice(long budget) {
    if (pending == null) return 0;
    Pending p = pending;
    long bytes = 0;
    // an incomplete checkpoint's rows go before any new row: none may outlive the next checkpoint
    while (!stale.isEmpty() && bytes < budget) {
      tables.deleteRow(stale.remove(stale.size() - 1));
      bytes += STALE_DELETE_BYTES;
    }
    CheckpointImage image = p.image;
    int rowBound = meta.rowBound();
    while (stale.isEmpty() && p.row < image.rows().length && bytes < budget) {
      int r = image.rows()[p.row];
      byte[] value = image.rowBytes()[p.row];
      tables.putRow(ModelStateReader.rowKey(r, inSlot1.get(r) ? 0 : 1), value);
      image.rowBytes()[p.row++] = null; // its heap is free once written
      rowBound = Math.max(rowBound, r + 1);
      bytes += value.length;
    }
    byte[] g = image.global();
    int pieces = Math.max(1, (g.length + PIECE_BYTES - 1) / PIECE_BYTES);
    int otherPieces = meta.otherPieces();
    while (p.row == image.rows().length && p.piece < pieces && bytes < budget) {
      int i = p.piece++;
      byte[] piece =
          Arrays.copyOfRange(g, i * PIECE_BYTES, Math.min(g.length, (i + 1) * PIECE_BYTES));
      tables.putGlobal(ModelStateReader.pieceKey(p.slot, i), piece);
      otherPieces = Math.max(otherPieces, i + 1);
      bytes += piece.length;
    }
    if (p.piece < pieces) {
      // not complete: meta keeps the complete checkpoint and learns what the other slots now hold
      writeMeta(
          new Meta(
              meta.pieces(),
              meta.globalSlot(),
              meta.checkpointRecords(),
              meta.snapshotVersion(),
              meta.snapshotTokens(),
              rowBound,
              otherPieces));
      return bytes;
    }
    for (int i = pieces; i < otherPieces; i++)
      tables.deleteGlobal(ModelStateReader.pieceKey(p.slot, i));
    while (!batches.isEmpty() && batches.peekFirst()[1] <= image.records()) {
      tables.deleteReplay(batches.pollFirst()[0]);
      if (batches.isEmpty())
        batchOpen = false; // the open batch went with them: the next line starts a new one
    }
    for (int r : image.rows()) inSlot1.flip(r);
    writeMeta(
        new Meta(
            pieces,
            p.slot,
            image.records(),
            meta.snapshotVersion(),
            meta.snapshotTokens(),
            rowBound,
            meta.pieces()));
    pending = null;
    return bytes;
  }

  /** A tombstone's share of a slice's budget: its key and the record's overhead. */
  private static final int STALE_DELETE_BYTES = 64;

  /** The checkpoint being written: its image, the next row and piece, its global slot. */
  private static final class Pending {
    final CheckpointImage image;
    final int slot;
    int row, piece;

    Pending(CheckpointImage image, int slot) {
      this.image = image;
      this.slot = slot;
    }
  }

  /**
   * Remembers a published snapshot (in the transaction that completes it): versions never repeat
   * after a restart, and the publisher's state (the slots its complete version uses, {@link
   * io.streamvec.model.io.SnapshotPublisher#state}) comes back with the model.
   */
  void snapshotPublished(long version, long tokens, byte[] publisherState) {
    tables.putGlobal(SNAPSHOT_PUBLISHER_KEY, publisherState);
    writeMeta(meta.withSnapshot(version, tokens));
  }

  /** What {@link #snapshotPublished} stored last, or null. */
  byte[] snapshotPublisherState() {
    return tables.global(SNAPSHOT_PUBLISHER_KEY);
  }

  /** The key in {@code model-global} of the snapshot publisher's state. */
  static final String SNAPSHOT_PUBLISHER_KEY = "snapshot-publisher";

  private void writeMeta(Meta m) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(ModelStateReader.META_VERSION);
      out.writeInt(m.pieces());
      out.writeInt(m.globalSlot());
      out.writeLong(m.checkpointRecords());
      out.writeLong(m.snapshotVersion());
      out.writeLong(m.snapshotTokens());
      out.writeInt(m.rowBound());
      out.writeInt(m.otherPieces());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    tables.putGlobal(ModelStateReader.META_KEY, bytes.toByteArray());
    meta = m;
  }
}
