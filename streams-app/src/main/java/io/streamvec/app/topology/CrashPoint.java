package io.streamvec.app.topology;

/**
 * Named places in the trainer where a crash test can stop the JVM at once (Runtime.halt: no
 * shutdown hook, no commit, like SIGKILL) to reach interleavings a kill from outside hits only by
 * luck: inside a transaction that writes (part of) a checkpoint or a snapshot version, or in the
 * middle of a replay. Inert unless the system property {@code streamvec.crash-point=NAME:N} is set:
 * the JVM halts the N-th time NAME is reached.
 */
final class CrashPoint {
  static final String PROPERTY = "streamvec.crash-point";

  /*
   * A slice asks for a commit, and Kafka Streams commits after the round of records and
   * punctuations it is in. A checkpoint's or version's first slice is written by a record or the
   * tick, and the slice punctuation of the same round may write the second: the two can share a
   * transaction. Each later slice comes from a later round's slice punctuation, so from the third
   * slice on, all the slices before the current one are committed.
   */

  /**
   * After a checkpoint's last slice (the rest of its rows, global pieces and meta) went to the
   * stores, before the commit.
   */
  static final String CHECKPOINT_WRITTEN = "checkpoint-written";

  /**
   * After a slice of a checkpoint that is neither its first nor its last went to the stores, before
   * the commit: from the third slice on, the checkpoint's earlier slices are committed, so it is
   * then partly written.
   */
  static final String CHECKPOINT_SLICE_WRITTEN = "checkpoint-slice-written";

  /**
   * After a slice of a snapshot version that is neither its first nor its last went to the
   * snapshots topic, before the commit: from the third slice on, the version's earlier slices are
   * committed, so the topic then holds part of it.
   */
  static final String SNAPSHOT_SLICE_WRITTEN = "snapshot-slice-written";

  /** After one more line of the replay log was learned during a restore. */
  static final String REPLAYED_LINE = "replayed-line";

  private static final String ARMED_NAME;
  private static final long ARMED_COUNT;
  private static long reached;

  static {
    String spec = System.getProperty(PROPERTY, "");
    int colon = spec.lastIndexOf(':');
    ARMED_NAME = colon > 0 ? spec.substring(0, colon) : "";
    ARMED_COUNT = colon > 0 ? Long.parseLong(spec.substring(colon + 1)) : 0;
  }

  private CrashPoint() {}

  /** Called by the stream thread at the place named; halts on the armed count. */
  static void reached(String name) {
    if (ARMED_COUNT == 0 || !ARMED_NAME.equals(name)) return;
    if (++reached == ARMED_COUNT) Runtime.getRuntime().halt(137);
  }
}
