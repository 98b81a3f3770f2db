package io.streamvec.app.topology;

/**
 * When the next checkpoint or snapshot slice of a model with a learner thread may go. A slice and
 * the commit after it hold the stream thread, which meanwhile hands the learner no lines. Where the
 * learner sets the pace (the stream thread keeps finding its queue full), the slices of a
 * checkpoint (and of the snapshot beside it) back to back left the stream thread too little time
 * between them to refill the queue, and the learner idled. So a slice waits until the queue holds
 * at least 3/4 of its capacity (work for longer than a slice and its commit), unless
 *
 * <ul>
 *   <li>the learner keeps up with the input: the stream thread has not found the queue full for
 *       {@link #MAX_WAIT_MS} (waiting would not fill the queue, only delay the checkpoint);
 *   <li>no line came since the last call (the input is idle);
 *   <li>or {@link #MAX_WAIT_MS} passed since a slice last could go.
 * </ul>
 *
 * What is written is the same, only when: the model never depends on it.
 */
final class SlicePacer {
  /** A slice waits for the learner's queue at most this long. */
  static final long MAX_WAIT_MS = 1000;

  private long lastGoMs = Long.MIN_VALUE / 2;
  private long lastFullMs = Long.MIN_VALUE / 2; // when a call last saw new waits for room
  private long recordsAtLastCall = -1, roomWaitsAtLastCall;

  /**
   * Whether a slice may go at now (ms), with records the model's records so far, roomWaits the
   * times the stream thread found the learner's queue full so far, and queuedTokens of
   * capacityTokens waiting in that queue.
   */
  boolean mayGo(long now, long records, long roomWaits, long queuedTokens, long capacityTokens) {
    if (roomWaits != roomWaitsAtLastCall) lastFullMs = now;
    boolean go =
        queuedTokens * 4 >= capacityTokens * 3L
            || now - lastFullMs >= MAX_WAIT_MS
            || records == recordsAtLastCall
            || now - lastGoMs >= MAX_WAIT_MS;
    recordsAtLastCall = records;
    roomWaitsAtLastCall = roomWaits;
    if (go) lastGoMs = now;
    return go;
  }
}
