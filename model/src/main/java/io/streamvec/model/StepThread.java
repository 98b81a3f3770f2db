package io.streamvec.model;

import io.streamvec.model.nn.Rng;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the model's steps of a {@link Learner} (forward, negative-sampling step, backward of each
 * trained token, and the resets of reassigned rows) on a thread of their own, in stream order,
 * while the caller's thread counts the vocabulary, subsamples, draws the negatives and feeds the
 * mixture. Nothing is reordered and no draw moves, so the model is the same bits as on one thread;
 * whatever reads the parameters {@link #drain}s first. The caller may also queue work of its own
 * that must see the parameters exactly where the stream is ({@link #queue}: an exact evaluation),
 * and wait for it later ({@link #awaitApplied}) instead of draining first.
 *
 * <p>The two threads meet in a single-producer single-consumer ring of preallocated slots (no
 * allocation per token): the caller fills slot {@code head % R} and the step thread applies slot
 * {@code tail % R}. The two usually run on two cores that other threads (the reader, the tokenizer,
 * other processes) also want, so the ring is built to move few cache lines and to burn no core
 * waiting: the caller publishes its slots {@link #BATCH} at a time (one move of head per batch, and
 * the slots of a batch are not read while it fills them), each side reads the other's counter only
 * when its own cached copy says it must wait, and a side that has to wait spins briefly, then parks
 * until {@link #WAKE} slots are ready for it (one unpark per WAKE slots, not one per token).
 * Shapes: R slots, P context words, k negatives, d embedding size.
 */
final class StepThread implements Runnable {
  /** What the step thread runs on a slot. */
  interface Steps {
    /** The model's step on one trained token. */
    void train(int target, int[] ctx, int[] negatives, double keepP, float corr, long tokens);

    /** Fresh parameters of a reassigned row: E[row] = init[io .. io+d). */
    void resetRow(int row, float[] init, int io);

    /** Early loads of the rows a coming {@link #train} reads (see Prefetch). */
    void prefetch(int target, int[] ctx, int co, int[] negatives, int no);
  }

  // R, a power of 2: ~25 ms of the step thread's work, so that it need not wait while the caller
  // rebuilds the mixture's n-gram table (~20 ms at the defaults), nor the caller while the step
  // thread runs an exact evaluation (~1 ms at 50k words) or catches up after one
  static final int SLOTS = 32768;
  static final int BATCH = 32; // slots the caller fills before it publishes them
  static final int WAKE = 256; // a parked side is woken once this many slots are ready for it
  private static final int SPINS = 256; // polls before parking (a few microseconds)
  private static final long NEVER = Long.MAX_VALUE;

  // The counters the two threads share, 16 longs (128 bytes) apart so that each has a cache line
  // (and its neighbour, which the hardware may fetch in pairs) to itself:
  // HEAD slots published by the caller; TAIL slots applied by the step thread; STEP_WAKE the head
  // at which the parked step thread wants an unpark (NEVER: not parked); CALLER_WAKE the tail at
  // which the parked caller wants one.
  private static final int HEAD = 16, TAIL = 32, STEP_WAKE = 48, CALLER_WAKE = 64;
  private final AtomicLongArray sync = new AtomicLongArray(80);

  private final Steps steps;
  private final int positions, k, d;
  private static final byte TRAIN = 0, RESET = 1, TASK = 2;
  private final byte[] kind = new byte[SLOTS];
  private final int[] target = new int[SLOTS]; // target, or the row to reset
  private final Runnable[] tasks = new Runnable[SLOTS]; // of TASK slots
  private final int[] ctx; // (R, P)
  private final int[] negatives; // (R, k)
  private final double[] keepP = new double[SLOTS];
  private final float[] correction = new float[SLOTS];
  private final long[] tokens = new long[SLOTS]; // of a trained token; of a reset: the RNG's state
  private final Rng resetRng = new Rng(0); // the step thread's replay of a reset's draws
  private final float[] init; // (d) the E row of the reset being applied
  private final int[] ctxNow, negativesNow; // (P), (k): the slot being applied
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Thread waiter; // the caller's thread while it parks
  private volatile Throwable failure;
  // The caller's own counters: slots claimed, slots published, the tail it last read. They change
  // at every token, so they sit in the middle of an array of their own, on a line that holds
  // nothing the step thread reads (as fields of this object they would share one with the slot
  // arrays' references).
  private static final int CLAIMED = 8, PUBLISHED = 9, TAIL_SEEN = 10;
  private final long[] mine = new long[24];

  StepThread(Steps steps, int positions, int k, int d) {
    this.steps = steps;
    this.positions = positions;
    this.k = k;
    this.d = d;
    this.ctx = new int[SLOTS * positions];
    this.negatives = new int[SLOTS * k];
    this.init = new float[d];
    this.ctxNow = new int[positions];
    this.negativesNow = new int[k];
    sync.set(STEP_WAKE, NEVER);
    sync.set(CALLER_WAKE, NEVER);
    this.thread = new Thread(this, "streamvec-learner-steps");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues the step of a trained token (ctx and negatives are copied). */
  void train(int t, int[] context, int[] negs, double keep, float corr, long tokenCount) {
    int s = claim();
    kind[s] = TRAIN;
    target[s] = t;
    System.arraycopy(context, 0, ctx, s * positions, positions);
    System.arraycopy(negs, 0, negatives, s * k, k);
    keepP[s] = keep;
    correction[s] = corr;
    tokens[s] = tokenCount;
    long c = ++mine[CLAIMED];
    if (c - mine[PUBLISHED] >= BATCH) publish(false);
  }

  /**
   * Queues the reset of row: E[row] gets word2vec's uniform in [-0.5/d, 0.5/d), the next d draws of
   * rng. They are drawn here (rng moves on as if the row were filled now) and again from the same
   * state by the step thread, so a slot holds one long instead of a row.
   */
  void resetRow(int row, Rng rng) {
    int s = claim();
    kind[s] = RESET;
    target[s] = row;
    tokens[s] = rng.state();
    for (int j = 0; j < d; j++) rng.nextFloat();
    long c = ++mine[CLAIMED];
    if (c - mine[PUBLISHED] >= BATCH) publish(false);
  }

  /**
   * Queues task to run on the step thread after the slots queued before it and before those queued
   * after it, published with them like a step (no wake-up of its own). Returns its place for {@link
   * #awaitApplied}. The caller keeps task (nothing is allocated here).
   */
  long queue(Runnable task) {
    int s = claim();
    kind[s] = TASK;
    tasks[s] = task;
    long c = ++mine[CLAIMED];
    if (c - mine[PUBLISHED] >= BATCH) publish(false);
    return c;
  }

  /** Waits until the slots up to place (a return of {@link #queue}) are applied. */
  void awaitApplied(long place) {
    if (mine[TAIL_SEEN] >= place) return;
    mine[TAIL_SEEN] = sync.get(TAIL);
    if (mine[TAIL_SEEN] < place) {
      publish(true);
      mine[TAIL_SEEN] = awaitTail(place);
    }
    check();
  }

  /** Waits until every queued slot is applied; the parameters are then the caller's to read. */
  void drain() {
    publish(true);
    awaitTail(mine[CLAIMED]);
    check();
  }

  /** Drains, then stops the thread. */
  void stop() {
    drain();
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "StepThread[claimed "
        + mine[CLAIMED]
        + ", published "
        + mine[PUBLISHED]
        + ", head "
        + sync.get(HEAD)
        + ", tail "
        + sync.get(TAIL)
        + ", stepWake "
        + sync.get(STEP_WAKE)
        + ", callerWake "
        + sync.get(CALLER_WAKE)
        + ", step thread "
        + thread.getState()
        + "]";
  }

  /** The step thread (tests watch its state). */
  Thread thread() {
    return thread;
  }

  /** The next free slot; waits while all R are queued. */
  private int claim() {
    long claimed = mine[CLAIMED];
    if (claimed - mine[TAIL_SEEN] >= SLOTS) {
      mine[TAIL_SEEN] = sync.get(TAIL);
      if (claimed - mine[TAIL_SEEN] >= SLOTS) {
        publish(true);
        mine[TAIL_SEEN] = awaitTail(claimed - SLOTS + WAKE);
      }
      check();
    }
    return (int) (claimed & (SLOTS - 1));
  }

  /**
   * Moves head to the claimed slots; unparks the step thread if it waits for this many, or (force)
   * for any. A failure of the step thread surfaces here, within a batch of it.
   */
  private void publish(boolean force) {
    check();
    long published = mine[CLAIMED];
    if (published != mine[PUBLISHED]) {
      mine[PUBLISHED] = published;
      sync.set(HEAD, published); // the slots' writes before the move; ordered before the next read
    } else if (!force) return; // (forced: the step thread may be parked on slots published before)
    long wake = sync.get(STEP_WAKE);
    if (wake != NEVER && (force || published >= wake) && sync.compareAndSet(STEP_WAKE, wake, NEVER))
      LockSupport.unpark(thread);
  }

  /**
   * Spins, then parks until the step thread has applied the slots before {@code want} (or failed);
   * returns the tail it saw.
   */
  private long awaitTail(long want) {
    long t = sync.get(TAIL);
    for (int spins = 0; t < want && spins < SPINS; spins++) {
      Thread.onSpinWait();
      t = sync.get(TAIL);
    }
    if (t >= want) return t;
    waiter = Thread.currentThread();
    while (true) { // (re)armed before every park: a wake-up that found too few slots used the last
      sync.set(CALLER_WAKE, want); // then read tail: the step thread sees this or we see its tail
      if ((t = sync.get(TAIL)) >= want) break;
      LockSupport.park(this);
    }
    sync.set(CALLER_WAKE, NEVER); // if the step thread has not already
    return t;
  }

  @Override
  public void run() {
    try {
      long t = sync.get(TAIL);
      while (true) {
        long h = sync.get(HEAD);
        if (t == h) {
          if (!running) return;
          awaitHead(t);
          continue;
        }
        for (; t < h; t++) {
          int s = (int) (t & (SLOTS - 1));
          if (t + 1 < h) prefetch((int) ((t + 1) & (SLOTS - 1)));
          if (kind[s] == TRAIN) train(s);
          else if (kind[s] == RESET) reset(s);
          else tasks[s].run();
          sync.set(TAIL, t + 1); // the step's writes before the move; ordered before the next read
          long wake = sync.get(CALLER_WAKE);
          if (t + 1 >= wake && sync.compareAndSet(CALLER_WAKE, wake, NEVER))
            LockSupport.unpark(waiter);
        }
      }
    } catch (Throwable e) {
      failure = e;
      sync.set(TAIL, NEVER); // nobody waits for a dead thread
      LockSupport.unpark(waiter);
    }
  }

  /** Spins, then parks until head moves past t and WAKE slots are ready (or a drain, or a stop). */
  private void awaitHead(long t) {
    for (int spins = 0; spins < SPINS; spins++) {
      if (sync.get(HEAD) != t) return;
      Thread.onSpinWait();
    }
    while (running) { // (re)armed before every park, like the caller's
      sync.set(STEP_WAKE, t + WAKE); // then read head: the caller sees this or we see its head
      if (sync.get(HEAD) != t) break;
      LockSupport.park(this);
    }
    sync.set(STEP_WAKE, NEVER); // if the caller has not already
  }

  private void train(int s) {
    System.arraycopy(ctx, s * positions, ctxNow, 0, positions);
    System.arraycopy(negatives, s * k, negativesNow, 0, k);
    steps.train(target[s], ctxNow, negativesNow, keepP[s], correction[s], tokens[s]);
  }

  private void reset(int s) {
    resetRng.setState(tokens[s]);
    for (int j = 0; j < d; j++) init[j] = (resetRng.nextFloat() - 0.5f) / d;
    steps.resetRow(target[s], init, 0);
  }

  private void prefetch(int s) {
    if (kind[s] == TRAIN) steps.prefetch(target[s], ctx, s * positions, negatives, s * k);
  }

  private void check() {
    Throwable e = failure;
    if (e != null) throw new IllegalStateException("the learner's step thread failed", e);
  }
}
