package io.streamvec.model.eval;

/**
 * Sees the learner's stream as word ids, in the order the learner trains on them, e.g. to run a
 * baseline model on exactly the tokens the learner's {@link PrequentialMeter} scores.
 */
public interface StreamObserver {
  /** A word was admitted into slot (reused = the slot held another word until now). */
  void slotAssigned(int slot, boolean reused);

  /**
   * The learner's next target: id of the current v vocabulary words; scored = the learner's meter
   * scores this token (before it learns from it), so an observer scores it too, before counting it.
   */
  void token(int target, int v, boolean scored);
}
