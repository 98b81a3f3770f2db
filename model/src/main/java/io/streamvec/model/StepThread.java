package io.streamvec.model;

import io.streamvec.model.nn.Rng;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the model's steps of a {@link Learner} (forward, negative-sampling step, backward of each
 * trained token, and the resets of reassigned rows) on a thread of their own, in stream order,
 * while the caller's thread counts the vocabulary, subsamples, draws the negatives, scores and
 * feeds the mixture. Nothing is reordered and no draw moves, so the model is the same bits as on
 * one thread; whatever reads the parameters {@link #drain}s first.
 *
 * <p>The two threads meet in a single-producer single-consumer ring of preallocated slots (no
 * allocation per token): the caller fills slot {@code head % R} and publishes it by moving head;
 * the step thread applies slot {@code tail % R} and moves tail. Shapes: R slots, P context words, k
 * negatives, d embedding size.
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

  private static final int SLOTS = 512; // R: a power of 2
  private static final int SPINS = 2_000; // busy polls before parking (the other side is fast)
  private static final long PARK_NANOS = 20_000;

  private final Steps steps;
  private final int positions, k, d;
  private final boolean[] isReset = new boolean[SLOTS];
  private final int[] target = new int[SLOTS]; // target, or the row to reset
  private final int[] ctx; // (R, P)
  private final int[] negatives; // (R, k)
  private final double[] keepP = new double[SLOTS];
  private final float[] correction = new float[SLOTS];
  private final long[] tokens = new long[SLOTS];
  private final float[] init; // (R, d) E rows of resets
  private final int[] ctxNow, negativesNow; // (P), (k): the slot being applied
  private final AtomicLong head = new AtomicLong(); // slots published by the caller
  private final AtomicLong tail = new AtomicLong(); // slots applied by the step thread
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean idle; // the step thread parks until the next publish
  private volatile Throwable failure;

  StepThread(Steps steps, int positions, int k, int d) {
    this.steps = steps;
    this.positions = positions;
    this.k = k;
    this.d = d;
    this.ctx = new int[SLOTS * positions];
    this.negatives = new int[SLOTS * k];
    this.init = new float[SLOTS * d];
    this.ctxNow = new int[positions];
    this.negativesNow = new int[k];
    this.thread = new Thread(this, "streamvec-learner-steps");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues the step of a trained token (ctx and negatives are copied). */
  void train(int t, int[] context, int[] negs, double keep, float corr, long tokenCount) {
    int s = claim();
    isReset[s] = false;
    target[s] = t;
    System.arraycopy(context, 0, ctx, s * positions, positions);
    System.arraycopy(negs, 0, negatives, s * k, k);
    keepP[s] = keep;
    correction[s] = corr;
    tokens[s] = tokenCount;
    publish();
  }

  /** Queues the reset of row: E[row] drawn here, word2vec's uniform in [-0.5/d, 0.5/d). */
  void resetRow(int row, Rng rng) {
    int s = claim();
    isReset[s] = true;
    target[s] = row;
    for (int j = 0; j < d; j++) init[s * d + j] = (rng.nextFloat() - 0.5f) / d;
    publish();
  }

  /** Waits until every queued slot is applied; the parameters are then the caller's to read. */
  void drain() {
    long h = head.get();
    for (int spins = 0; tail.get() < h; spins++) pause(spins);
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

  private int claim() {
    long h = head.get();
    for (int spins = 0; h - tail.get() >= SLOTS; spins++) pause(spins);
    check();
    return (int) (h & (SLOTS - 1));
  }

  private void publish() {
    head.set(head.get() + 1); // the slot's writes before the move; ordered before reading idle
    if (idle) LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    try {
      long t = tail.get();
      int spins = 0;
      while (true) {
        long h = head.get();
        if (t == h) {
          if (!running) return;
          if (spins++ < SPINS) Thread.onSpinWait();
          else sleep(t);
          continue;
        }
        spins = 0;
        for (; t < h; t++) {
          int s = (int) (t & (SLOTS - 1));
          if (t + 1 < h) prefetch((int) ((t + 1) & (SLOTS - 1)));
          if (isReset[s]) steps.resetRow(target[s], init, s * d);
          else train(s);
          tail.lazySet(t + 1); // release: the step's writes before the move
        }
      }
    } catch (Throwable e) {
      failure = e;
      tail.set(Long.MAX_VALUE); // nobody waits for a dead thread
    }
  }

  private void train(int s) {
    System.arraycopy(ctx, s * positions, ctxNow, 0, positions);
    System.arraycopy(negatives, s * k, negativesNow, 0, k);
    steps.train(target[s], ctxNow, negativesNow, keepP[s], correction[s], tokens[s]);
  }

  /** Parks until a slot beyond t is published (publish unparks once it has moved head). */
  private void sleep(long t) {
    idle = true;
    if (head.get() == t && running) LockSupport.park(this);
    idle = false;
  }

  private void prefetch(int s) {
    if (!isReset[s]) steps.prefetch(target[s], ctx, s * positions, negatives, s * k);
  }

  private void check() {
    Throwable e = failure;
    if (e != null) throw new IllegalStateException("the learner's step thread failed", e);
  }

  private static void pause(int spins) {
    if (spins < SPINS) Thread.onSpinWait();
    else LockSupport.parkNanos(PARK_NANOS);
  }
}
