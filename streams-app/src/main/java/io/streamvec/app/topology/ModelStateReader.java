package io.streamvec.app.topology;

import io.streamvec.model.Learner;
import io.streamvec.model.LearnerState;
import io.streamvec.model.ModelConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Turns the stored state ({@link StoredState}) back into the trainer: the learner as of the last
 * checkpoint (a new one when no checkpoint was written yet), then the token lines logged since, in
 * order. The running app and the offline {@code --check-state} both restore through here, and every
 * refusal names the record at fault and what the user can do.
 *
 * <p>A checkpoint is written over several transactions ({@link ModelStore}), so the stores may hold
 * parts of one that a crash left incomplete. Every row has two slots, each value tagged with the
 * record count of the checkpoint that wrote it; the complete checkpoint of record T is, for every
 * row, the slot with the highest tag not above T. A slot tagged above T is stale: the restore
 * ignores it and reports it ({@link Restored#staleRows}) so that the next checkpoint deletes it
 * before it completes. State written before the slots existed (meta version 1: rows under their
 * index, untagged, global pieces in slot 0) reads as rows tagged older than any checkpoint.
 */
final class ModelStateReader {
  static final String META_KEY = "meta";
  static final int META_VERSION = 2;

  /** Bytes after a row's {@link LearnerState#row} bytes: the checkpoint's record count. */
  static final int TAG_BYTES = Long.BYTES;

  /** Appended to every refusal: ways to keep the model before anyone resets the application. */
  static final String WHAT_TO_DO =
      "Run `./streamvec app --check-state` with the same configuration for a report of the stored"
          + " state. If a newer streamvec wrote it, run that version. The snapshots topic still"
          + " holds the model as of its latest version (`./streamvec snapshot export` saves it)."
          + " Resetting the application (new application.id or kafka-streams-application-reset)"
          + " starts a new model: do it only after saving what you need.";

  /**
   * What "meta" holds. pieces = global pieces of the last complete checkpoint, 0 while none was
   * written, in globalSlot (0 or 1); checkpointRecords = records learned when it was taken;
   * rowBound = every row key written so far is below it (slot keys of rows 0..rowBound-1, so a
   * restore finds every stale one); otherPieces = global pieces the other slot may hold (an older
   * or an incomplete checkpoint's), so a new checkpoint deletes those it does not overwrite.
   */
  record Meta(
      int pieces,
      int globalSlot,
      long checkpointRecords,
      long snapshotVersion,
      long snapshotTokens,
      int rowBound,
      int otherPieces) {
    static final Meta EMPTY = new Meta(0, 0, 0, 0, 0, 0, 0);

    boolean hasCheckpoint() {
      return pieces > 0;
    }

    Meta withSnapshot(long version, long tokens) {
      return new Meta(
          pieces, globalSlot, checkpointRecords, version, tokens, rowBound, otherPieces);
    }
  }

  /**
   * The restored trainer; learner is null when there is no checkpoint (start a new one). inSlot1 =
   * rows whose value is in slot 1; staleRows = row keys (see {@link #rowKey}) of an incomplete
   * checkpoint.
   */
  record Restored(
      Meta meta,
      Learner learner,
      List<String> replayLines,
      List<long[]> batches,
      BitSet inSlot1,
      List<Integer> staleRows) {}

  private ModelStateReader() {}

  static Restored read(StoredState state) {
    Meta meta = readMeta(state);
    RowSlots slots = new RowSlots(state, meta.checkpointRecords());
    Learner learner = meta.hasCheckpoint() ? restoreLearner(state, meta, slots) : null;
    // rows past the checkpoint's vocabulary were written only by incomplete checkpoints
    for (int r = learner == null ? 0 : learner.vocabulary().size(); r < meta.rowBound(); r++)
      slots.resolve(r);
    List<long[]> batches = new ArrayList<>();
    List<String> lines = replayLines(state, meta, batches);
    return new Restored(meta, learner, lines, batches, slots.inSlot1, slots.stale);
  }

  /** The store key of row r's slot (0 or 1): r and -r-1, so slot 0 is where version 1 kept rows. */
  static int rowKey(int r, int slot) {
    return slot == 0 ? r : ~r;
  }

  /** The global piece i of slot (0 or 1). */
  static String pieceKey(int slot, int i) {
    return slot == 0 ? pieceKey(i) : "g1/" + i;
  }

  /**
   * Picks each row's slot of the complete checkpoint: the highest tag not above checkpointRecords;
   * a value of exactly the row size (version 1) is older than any tagged one.
   */
  private static final class RowSlots {
    private final StoredState state;
    private final long checkpointRecords;
    private final BitSet inSlot1 = new BitSet();
    private final List<Integer> stale = new ArrayList<>();
    private int rowBytes = -1; // unknown until the global part is read: then any length is stale

    RowSlots(StoredState state, long checkpointRecords) {
      this.state = state;
      this.checkpointRecords = checkpointRecords;
    }

    /** Row r of the checkpoint, without its tag; null when neither slot holds one. */
    byte[] resolve(int r) {
      byte[] chosen = null;
      long best = Long.MIN_VALUE;
      for (int slot = 0; slot < 2; slot++) {
        int key = rowKey(r, slot);
        byte[] value = state.row(key);
        if (value == null) continue;
        long tag = tag(value);
        if (tag > checkpointRecords) {
          stale.add(key);
          continue;
        }
        if (tag == best)
          throw refusal(
              state.locate(StreamvecTopology.ROWS_STORE, key),
              "has the same checkpoint tag (" + tag + ") as the other slot of row " + r,
              null);
        if (tag > best) {
          best = tag;
          chosen = value;
          inSlot1.set(r, slot == 1);
        }
      }
      if (chosen == null || chosen.length != rowBytes + TAG_BYTES) return chosen;
      return Arrays.copyOf(chosen, rowBytes);
    }

    /** The record count a row value was written at; a version 1 row (no tag) is older than all. */
    private long tag(byte[] value) {
      if (value.length == rowBytes + TAG_BYTES)
        return ByteBuffer.wrap(value, rowBytes, TAG_BYTES).getLong();
      if (value.length == rowBytes) return -1;
      if (rowBytes < 0)
        return Long.MAX_VALUE; // no checkpoint yet: every row is an incomplete one's
      throw refusal(
          "a row value of row store (" + state.locate(StreamvecTopology.ROWS_STORE, "*") + ")",
          "is "
              + value.length
              + " bytes; a row of this model is "
              + rowBytes
              + " bytes, plus "
              + TAG_BYTES
              + " with its checkpoint tag",
          null);
    }
  }

  static Meta readMeta(StoredState state) {
    byte[] bytes = state.global(META_KEY);
    if (bytes == null) return Meta.EMPTY;
    String where = state.locate(StreamvecTopology.GLOBAL_STORE, META_KEY);
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      int version = in.readInt();
      if (version != 1 && version != META_VERSION)
        throw refusal(
            where,
            "has version " + version + "; this build reads versions 1 to " + META_VERSION,
            null);
      Meta meta =
          version == 1
              // rows under their index without tags, global pieces in slot 0, nothing incomplete
              ? new Meta(in.readInt(), 0, in.readLong(), in.readLong(), in.readLong(), 0, 0)
              : new Meta(
                  in.readInt(),
                  in.readInt(),
                  in.readLong(),
                  in.readLong(),
                  in.readLong(),
                  in.readInt(),
                  in.readInt());
      if (meta.pieces() < 0
          || meta.checkpointRecords() < 0
          || meta.snapshotVersion() < 0
          || (meta.globalSlot() & ~1) != 0
          || meta.rowBound() < 0
          || meta.otherPieces() < 0) throw refusal(where, "holds " + meta, null);
      if (!meta.hasCheckpoint() && meta.checkpointRecords() != 0)
        throw refusal(
            where,
            "says no checkpoint was written but " + meta.checkpointRecords() + " records were",
            null);
      return meta;
    } catch (IOException e) {
      throw refusal(where, "is truncated (" + bytes.length + " bytes)", e);
    }
  }

  private static Learner restoreLearner(StoredState state, Meta meta, RowSlots slots) {
    ByteArrayOutputStream global = new ByteArrayOutputStream();
    for (int i = 0; i < meta.pieces(); i++) {
      String key = pieceKey(meta.globalSlot(), i);
      byte[] piece = state.global(key);
      if (piece == null)
        throw refusal(
            state.locate(StreamvecTopology.GLOBAL_STORE, key),
            "is missing (piece " + i + " of the " + meta.pieces() + " that meta lists)",
            null);
      global.writeBytes(piece);
    }
    byte[] g = global.toByteArray();
    try {
      // the row size follows from the config at the start of the global part (after its version)
      slots.rowBytes =
          LearnerState.rowBytes(
              ModelConfig.read(new DataInputStream(new ByteArrayInputStream(g, 4, g.length - 4))));
      return LearnerState.restore(g, slots::resolve);
    } catch (IOException | RuntimeException e) {
      if (e instanceof ModelStateException m) throw m;
      throw refusal(
          "the checkpoint of record "
              + meta.checkpointRecords()
              + " ("
              + state.locate(
                  StreamvecTopology.GLOBAL_STORE,
                  pieceKey(meta.globalSlot(), 0) + ".." + (meta.pieces() - 1))
              + " and "
              + state.locate(StreamvecTopology.ROWS_STORE, "*")
              + ")",
          "cannot be decoded: " + e.getMessage(),
          e);
    }
  }

  private static List<String> replayLines(StoredState state, Meta meta, List<long[]> batches) {
    List<String> lines = new ArrayList<>();
    long[] expected = {meta.checkpointRecords() + 1};
    state.forEachReplayBatch(
        (first, bytes) -> {
          String[] batch = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
          long last = first + batch.length - 1;
          // batches come in key order; a gap means records the checkpoint does not hold are lost
          if (first > expected[0])
            throw refusal(
                state.locate(StreamvecTopology.REPLAY_STORE, first),
                "starts at record "
                    + first
                    + " but record "
                    + expected[0]
                    + " is neither in it, in an earlier batch nor in the checkpoint (of record "
                    + meta.checkpointRecords()
                    + ")",
                null);
          for (long s = Math.max(first, expected[0]); s <= last; s++)
            lines.add(batch[(int) (s - first)]);
          expected[0] = Math.max(expected[0], last + 1);
          batches.add(new long[] {first, last});
        });
    return lines;
  }

  static String pieceKey(int i) {
    return "g/" + i;
  }

  private static ModelStateException refusal(String where, String problem, Throwable cause) {
    return new ModelStateException(
        "the model state cannot be restored exactly: " + where + " " + problem + ". " + WHAT_TO_DO,
        cause);
  }
}
