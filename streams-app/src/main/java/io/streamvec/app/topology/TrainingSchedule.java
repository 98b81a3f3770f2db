package io.streamvec.app.topology;

import io.streamvec.model.LearnerState;

/**
 * When one model's checkpoints and snapshots are due; it only counts and reads the clock, the
 * {@link ModelTrainer} acts. Checkpoints follow counts (every {@code checkpoint.interval.tokens}
 * tokens or {@code checkpoint.interval.records} records), never the clock, so a restore replays a
 * bounded log. A checkpoint writes about every row of the model (every admitted word's row changes
 * within an interval on real text), so the interval grows with the model: both counts are
 * multiplied by max(1, W x R / (B x checkpoint.interval.tokens)), W = the words the last checkpoint
 * held, R = bytes of one stored row, B = {@code checkpoint.bytes-per-token}: a checkpoint then
 * writes at most about B bytes per token trained since the last one (0 = fixed intervals).
 * Snapshots come every {@code snapshot.interval.tokens} tokens, every {@code snapshot.interval.ms}
 * while tokens arrive, and once the input has been idle for {@code idle.snapshot.ms}; a snapshot is
 * never due while no token came since the last one.
 */
final class TrainingSchedule {
  private final TrainerSettings settings;
  private final long rowBytes; // one row as a checkpoint stores it
  private long checkpointWords; // vocabulary slots in use at the last checkpoint
  private long records, tokens;
  private long checkpointedRecords, checkpointedTokens; // at the last checkpoint asked for
  private long snapshotTokens; // at the last snapshot asked for (published or being taken)
  private long lastInputMs, lastSnapshotMs;

  TrainingSchedule(TrainerSettings settings) {
    this.settings = settings;
    this.rowBytes = LearnerState.rowBytes(settings.model()) + ModelStateReader.TAG_BYTES;
  }

  /** The words (vocabulary slots in use) of the last checkpoint: the next interval follows them. */
  void checkpointWords(int words) {
    checkpointWords = words;
  }

  /** How many times the configured intervals the next checkpoint waits (>= 1). */
  double checkpointScale() {
    long perToken = settings.checkpointBytesPerToken();
    if (perToken == 0) return 1;
    return Math.max(
        1, (double) checkpointWords * rowBytes / perToken / settings.checkpointEveryTokens());
  }

  /** Where a restore left the model: nothing is due for what it already holds. */
  void restored(
      long records,
      long tokens,
      long checkpointRecords,
      long checkpointTokens,
      long lastSnapshotTokens,
      long now) {
    this.records = records;
    this.tokens = tokens;
    checkpointedRecords = checkpointRecords;
    checkpointedTokens = checkpointTokens;
    snapshotTokens = lastSnapshotTokens;
    lastInputMs = lastSnapshotMs = now;
  }

  /** One more record of lineTokens tokens, arrived at now. */
  void record(int lineTokens, long now) {
    records++;
    tokens += lineTokens;
    lastInputMs = now;
  }

  long records() {
    return records;
  }

  long tokens() {
    return tokens;
  }

  /** True (once) when a checkpoint is due after the last record. */
  boolean takeCheckpoint() {
    double scale = checkpointScale();
    if (records - checkpointedRecords < scale * settings.checkpointEveryRecords()
        && tokens - checkpointedTokens < scale * settings.checkpointEveryTokens()) return false;
    checkpointedRecords = records;
    checkpointedTokens = tokens;
    return true;
  }

  /** True (once) when the tokens since the last snapshot call for one. */
  boolean takeSnapshotByTokens(long now) {
    if (tokens - snapshotTokens < settings.snapshotEveryTokens()) return false;
    snapshotTaken(now);
    return true;
  }

  /** True (once) when the clock calls for a snapshot: interval while busy, or idle input. */
  boolean takeSnapshotByTime(long now) {
    if (tokens == snapshotTokens) return false;
    if (now - lastSnapshotMs < settings.snapshotEveryMs()
        && now - lastInputMs < settings.idleSnapshotMs()) return false;
    snapshotTaken(now);
    return true;
  }

  private void snapshotTaken(long now) {
    snapshotTokens = tokens;
    lastSnapshotMs = now;
  }
}
