package io.streamvec.app.topology;

import io.streamvec.model.Learner;
import io.streamvec.model.LearnerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the stored state ({@link StoredState}) back into the trainer: the learner as of the last
 * checkpoint (a new one when no checkpoint was written yet), then the token lines logged since, in
 * order. The running app and the offline {@code --check-state} both restore through here, and every
 * refusal names the record at fault and what the user can do.
 */
final class ModelStateReader {
  static final String META_KEY = "meta";
  static final int META_VERSION = 1;

  /** Appended to every refusal: ways to keep the model before anyone resets the application. */
  static final String WHAT_TO_DO =
      "Run `./streamvec app --check-state` with the same configuration for a report of the stored"
          + " state. If a newer streamvec wrote it, run that version. The snapshots topic still"
          + " holds the model as of its latest version (`./streamvec snapshot export` saves it)."
          + " Resetting the application (new application.id or kafka-streams-application-reset)"
          + " starts a new model: do it only after saving what you need.";

  /**
   * What "meta" holds. pieces = global pieces of the last checkpoint, 0 while none was written;
   * checkpointRecords = records learned when rows and global were written.
   */
  record Meta(int pieces, long checkpointRecords, long snapshotVersion, long snapshotTokens) {
    static final Meta EMPTY = new Meta(0, 0, 0, 0);

    boolean hasCheckpoint() {
      return pieces > 0;
    }
  }

  /** The restored trainer; learner is null when there is no checkpoint (start a new one). */
  record Restored(Meta meta, Learner learner, List<String> replayLines, List<long[]> batches) {}

  private ModelStateReader() {}

  static Restored read(StoredState state) {
    Meta meta = readMeta(state);
    Learner learner = meta.hasCheckpoint() ? restoreLearner(state, meta) : null;
    List<long[]> batches = new ArrayList<>();
    List<String> lines = replayLines(state, meta, batches);
    return new Restored(meta, learner, lines, batches);
  }

  static Meta readMeta(StoredState state) {
    byte[] bytes = state.global(META_KEY);
    if (bytes == null) return Meta.EMPTY;
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      int version = in.readInt();
      if (version != META_VERSION)
        throw refusal(
            state.locate(StreamvecTopology.GLOBAL_STORE, META_KEY),
            "has version " + version + "; this build reads version " + META_VERSION,
            null);
      Meta meta = new Meta(in.readInt(), in.readLong(), in.readLong(), in.readLong());
      if (meta.pieces() < 0 || meta.checkpointRecords() < 0 || meta.snapshotVersion() < 0)
        throw refusal(
            state.locate(StreamvecTopology.GLOBAL_STORE, META_KEY), "holds " + meta, null);
      if (!meta.hasCheckpoint() && meta.checkpointRecords() != 0)
        throw refusal(
            state.locate(StreamvecTopology.GLOBAL_STORE, META_KEY),
            "says no checkpoint was written but " + meta.checkpointRecords() + " records were",
            null);
      return meta;
    } catch (IOException e) {
      throw refusal(
          state.locate(StreamvecTopology.GLOBAL_STORE, META_KEY),
          "is truncated (" + bytes.length + " bytes)",
          e);
    }
  }

  private static Learner restoreLearner(StoredState state, Meta meta) {
    ByteArrayOutputStream global = new ByteArrayOutputStream();
    for (int i = 0; i < meta.pieces(); i++) {
      byte[] piece = state.global(pieceKey(i));
      if (piece == null)
        throw refusal(
            state.locate(StreamvecTopology.GLOBAL_STORE, pieceKey(i)),
            "is missing (piece " + i + " of the " + meta.pieces() + " that meta lists)",
            null);
      global.writeBytes(piece);
    }
    try {
      return LearnerState.restore(global.toByteArray(), state::row);
    } catch (IOException | RuntimeException e) {
      throw refusal(
          "the checkpoint of record "
              + meta.checkpointRecords()
              + " ("
              + state.locate(StreamvecTopology.GLOBAL_STORE, "g/0..g/" + (meta.pieces() - 1))
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
