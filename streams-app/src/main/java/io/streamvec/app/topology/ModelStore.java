package io.streamvec.app.topology;

import io.streamvec.app.topology.ModelStateReader.Meta;
import io.streamvec.model.Learner;
import io.streamvec.model.LearnerState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One model's durable state in logged (changelogged) stores, written in the same Kafka transaction
 * as the outputs and input offsets, so after a crash they hold exactly the state of the last
 * commit. Three parts, each in a store of its own for model.id, under a prefix of the shared store
 * for the other models ({@link ModelTables}):
 *
 * <ul>
 *   <li>{@code model-rows}: row index -> {@link LearnerState#row} bytes (~0.8 kB at d = 100), only
 *       rows changed since the previous checkpoint are rewritten;
 *   <li>{@code model-global}: {@link LearnerState#global} cut into pieces "g/0".."g/n-1" of at most
 *       {@link #PIECE_BYTES} (a changelog record must stay under Kafka's 1 MB), plus "meta": piece
 *       count (0 until the first checkpoint: snapshots are published before it) and the app's
 *       counters (records at the checkpoint, snapshot version, tokens at the last snapshot);
 *   <li>{@code replay-log}: the token lines of every record since the checkpoint, in batches of up
 *       to {@link #BATCH_LINES} lines: sequence number of the first line -> the lines joined by
 *       '\n' (token lines never hold one), UTF-8. A batch is rewritten as it grows; the store's
 *       cache keeps only its last version within a commit, so a line costs a fraction of a
 *       changelog record instead of a record and a tombstone of its own (profiled: the per-line
 *       puts and the deletes at each checkpoint kept the learner waiting). The batch is kept as
 *       bytes and each line encoded once: rewriting it as a String re-encoded the whole batch on
 *       every line.
 * </ul>
 *
 * Restore ({@link ModelStateReader}) = rows + global as of the checkpoint, or a new learner while
 * there is none, then the replay log in sequence order: the same learner, bit for bit, as the one
 * that processed those records without interruption.
 */
final class ModelStore {
  static final int PIECE_BYTES = 512 * 1024;
  static final int BATCH_LINES = 64;

  /** A batch stops growing at this many bytes, so rewriting it stays cheap even for long lines. */
  static final int BATCH_BYTES = 64 * 1024;

  private static final byte[] NEWLINE = {'\n'};

  private final ModelTables tables;
  private Meta meta = Meta.EMPTY;

  /**
   * The replay batches in the store, oldest first: {first sequence, last sequence}; the last one is
   * open.
   */
  private final ArrayDeque<long[]> batches = new ArrayDeque<>();

  private byte[] openBatch =
      new byte[4096]; // the open batch's UTF-8 bytes: openBatchLength of them
  private int openBatchLength;
  private boolean batchOpen;

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
    return restored;
  }

  /** Logs the line of record number sequence (they come in order, one by one). */
  void append(long sequence, String line) {
    byte[] encoded = line.getBytes(StandardCharsets.UTF_8);
    if (!batchOpen
        || sequence - batches.peekLast()[0] >= BATCH_LINES
        || openBatchLength + 1 + encoded.length > BATCH_BYTES) {
      batches.addLast(new long[] {sequence, sequence});
      openBatchLength = 0;
      batchOpen = true;
    } else {
      add(NEWLINE);
      batches.peekLast()[1] = sequence;
    }
    add(encoded);
    tables.putReplay(batches.peekLast()[0], Arrays.copyOf(openBatch, openBatchLength));
  }

  private void add(byte[] bytes) {
    if (openBatchLength + bytes.length > openBatch.length)
      openBatch =
          Arrays.copyOf(openBatch, Math.max(2 * openBatch.length, openBatchLength + bytes.length));
    System.arraycopy(bytes, 0, openBatch, openBatchLength, bytes.length);
    openBatchLength += bytes.length;
  }

  /**
   * The learner's state after {@code records} records, as bytes: the rows changed since the last
   * capture (their marks are cleared) and the global part. Touches no store, so the learner thread
   * can take it at the exact record while the stream thread goes on.
   */
  static CheckpointImage capture(Learner learner, long records) {
    long t0 = System.nanoTime();
    int[] changed = learner.dirtyRows().toArray();
    byte[][] rowBytes = new byte[changed.length][];
    for (int i = 0; i < changed.length; i++) rowBytes[i] = LearnerState.row(learner, changed[i]);
    learner.clearDirtyRows();
    return new CheckpointImage(
        records, changed, rowBytes, LearnerState.global(learner), System.nanoTime() - t0);
  }

  /**
   * Makes image the checkpoint: rows, global pieces, meta, and the replay log cut to the records
   * after it. Called between two records on the stream thread, so one transaction holds all of it;
   * lines learned after the image stay in the replay log, and a restore replays them.
   */
  void write(CheckpointImage image) {
    for (int i = 0; i < image.rows().length; i++)
      tables.putRow(image.rows()[i], image.rowBytes()[i]);
    byte[] g = image.global();
    int pieces = Math.max(1, (g.length + PIECE_BYTES - 1) / PIECE_BYTES);
    for (int i = 0; i < pieces; i++)
      tables.putGlobal(
          pieceKey(i),
          Arrays.copyOfRange(g, i * PIECE_BYTES, Math.min(g.length, (i + 1) * PIECE_BYTES)));
    for (int i = pieces; i < meta.pieces(); i++) tables.deleteGlobal(pieceKey(i));
    while (!batches.isEmpty() && batches.peekFirst()[1] <= image.records()) {
      tables.deleteReplay(batches.pollFirst()[0]);
      if (batches.isEmpty())
        batchOpen = false; // the open batch went with them: the next line starts a new one
    }
    writeMeta(new Meta(pieces, image.records(), meta.snapshotVersion(), meta.snapshotTokens()));
  }

  /**
   * A checkpoint not yet written: the state after {@code records} records. captureNanos = time to
   * take it.
   */
  record CheckpointImage(
      long records, int[] rows, byte[][] rowBytes, byte[] global, long captureNanos) {}

  /**
   * Remembers a published snapshot (in the transaction that publishes it): versions never repeat
   * after a restart.
   */
  void snapshotPublished(long version, long tokens) {
    writeMeta(new Meta(meta.pieces(), meta.checkpointRecords(), version, tokens));
  }

  private void writeMeta(Meta m) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(ModelStateReader.META_VERSION);
      out.writeInt(m.pieces());
      out.writeLong(m.checkpointRecords());
      out.writeLong(m.snapshotVersion());
      out.writeLong(m.snapshotTokens());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    tables.putGlobal(ModelStateReader.META_KEY, bytes.toByteArray());
    meta = m;
  }

  static String pieceKey(int i) {
    return ModelStateReader.pieceKey(i);
  }
}
