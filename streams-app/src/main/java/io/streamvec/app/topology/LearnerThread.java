package io.streamvec.app.topology;

import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import java.util.Arrays;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Learns the token lines the stream thread hands it, on a thread of its own, so that the stream
 * thread's Kafka work (poll, validation, replay log, commits, checkpoint writes) runs beside the
 * learning on the second core instead of taking turns with it (learning and Kafka's work each take
 * about half of one thread's time).
 *
 * <p>Lines are learned one at a time, strictly in the order submitted: the model is bit for bit the
 * one inline learning gives. Up to {@code capacityTokens} tokens may wait (enough to keep learning
 * through a commit that flushes a checkpoint). Durability does not wait for learning: the replay
 * log has a line before it is submitted, so a crash at any point restores to the same model. What
 * reads the learner goes through the queue too, at its exact place in the order:
 *
 * <ul>
 *   <li>{@link #requestCheckpoint}: the worker captures the checkpoint image after exactly that
 *       many records and goes on learning; the stream thread writes it when {@link
 *       #readyCheckpoint} hands it over;
 *   <li>{@link #requestSnapshot}: likewise, a copy of the model handed over by {@link
 *       #readySnapshot};
 *   <li>{@link #progress} (metrics): answered after the line being learned, never waiting for the
 *       rest.
 * </ul>
 *
 * So the stream thread never waits for learning, except for room in the queue, and the learner
 * never waits for a checkpoint or snapshot to be written. A stream thread that found the queue full
 * sleeps until the learner has worked it down to half: woken for every line learned, it preempted
 * the learner about a thousand times a second (measured: non-voluntary context switches of the
 * learner thread), each time taking its core and its caches. The hand-offs go through concurrent
 * queues, which order the memory: what the worker wrote before handing over is visible. If learning
 * throws, the error is kept and rethrown to the stream thread at its next call; the worker then
 * only releases waiters, so the stream thread never blocks on a dead worker.
 */
final class LearnerThread implements AutoCloseable {
  private static final Object STOP = new Object();

  /**
   * Lines learned since this worker started, and the learner's statistics right after the last of
   * them.
   */
  record Progress(long lines, Map<String, Double> stats) {}

  private record CheckpointRequest(long records) {}

  private record SnapshotRequest(long version) {}

  private final Learner learner;
  private final Consumer<String[]> learn;
  private final int capacityTokens;
  private final AtomicLong queuedTokens =
      new AtomicLong(); // submitted and not yet learned (line weights)
  private volatile Thread waitingSubmitter; // the stream thread while it waits for room, else null
  private volatile long resumeAt; // it resumes once queuedTokens is at most this
  private final LinkedBlockingQueue<Object> queue =
      new LinkedBlockingQueue<>(); // String[] lines and markers, in order
  private final Queue<ModelStore.CheckpointImage> images = new ConcurrentLinkedQueue<>();
  private final Queue<ModelSnapshot> snapshots = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile Throwable failure;
  private volatile long
      learned; // lines learned (or skipped after a failure); written by the worker only
  private volatile CompletableFuture<Progress> progressRequest;
  private long submitted; // stream thread only
  private long roomWaits; // stream thread only: how often submit found the queue full

  LearnerThread(Learner learner, int capacityTokens, String name) {
    this(learner, tokens -> learner.learn(Arrays.asList(tokens)), capacityTokens, name);
  }

  /** learn = what is done with each line (tests put a failing one here). */
  LearnerThread(Learner learner, Consumer<String[]> learn, int capacityTokens, String name) {
    if (capacityTokens <= 0)
      throw new IllegalArgumentException("capacityTokens must be > 0, got " + capacityTokens);
    this.learner = learner;
    this.learn = learn;
    this.capacityTokens = capacityTokens;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues one token line. If it would take the queue over capacityTokens tokens, first waits until
   * the learner has brought the queue down to half (a longer line waits for an empty queue).
   */
  void submit(String[] tokens) {
    rethrowFailure();
    int weight = weight(tokens);
    if (queuedTokens.get() + weight > capacityTokens) {
      roomWaits++;
      awaitRoom(Math.min(capacityTokens / 2, capacityTokens - weight));
    }
    queuedTokens.addAndGet(weight);
    queue.add(tokens);
    submitted++;
  }

  private void awaitRoom(long target) {
    resumeAt = target;
    waitingSubmitter =
        Thread.currentThread(); // volatile write after resumeAt: the worker reads them in the other
    // order
    try {
      while (queuedTokens.get() > target) {
        rethrowFailure(); // a failed worker still empties the queue, but fail as soon as we know
        LockSupport.parkNanos(
            this, 10_000_000L); // bounded: a wake-up lost to a race costs at most 10 ms
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while handing a line to the learner");
        }
      }
    } finally {
      waitingSubmitter = null;
    }
  }

  /** Tokens submitted and not yet learned (line weights, as the capacity counts them). */
  long queuedTokens() {
    return queuedTokens.get();
  }

  long capacityTokens() {
    return capacityTokens;
  }

  /** How often the stream thread found the queue full (stream thread only). */
  long roomWaits() {
    return roomWaits;
  }

  /** The worker captures the checkpoint image after the lines submitted so far (= records). */
  void requestCheckpoint(long records) {
    rethrowFailure();
    queue.add(new CheckpointRequest(records));
  }

  /** The oldest captured image the stream thread has not written yet, or null. */
  ModelStore.CheckpointImage readyCheckpoint() {
    rethrowFailure();
    return images.poll();
  }

  /** The worker copies the model after the lines submitted so far, as snapshot version. */
  void requestSnapshot(long version) {
    rethrowFailure();
    queue.add(new SnapshotRequest(version));
  }

  /** The oldest snapshot taken and not yet handed over, or null. */
  ModelSnapshot readySnapshot() {
    rethrowFailure();
    return snapshots.poll();
  }

  /**
   * Where learning stands, at a line boundary reached after this call began, without waiting for
   * the queue to drain: the worker answers after the line it is learning, or, when it has learned
   * everything, the caller reads the learner itself.
   */
  Progress progress() {
    rethrowFailure();
    CompletableFuture<Progress> request = new CompletableFuture<>();
    progressRequest = request;
    while (true) {
      // caught up: the worker only waits on the queue, and nothing is submitted while we are here
      if (learned == submitted) return new Progress(submitted, learner.stats());
      try {
        return request.get(1, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        rethrowFailure();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the learner's progress", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("the learner thread failed: " + e.getCause(), e.getCause());
      }
    }
  }

  /**
   * Stops the worker without learning what is still queued: a closed task's learner is discarded
   * (the stores hold the state).
   */
  @Override
  public void close() {
    queue.clear();
    queue.add(STOP);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int weight(String[] tokens) {
    return Math.max(1, Math.min(tokens.length, capacityTokens));
  }

  private void rethrowFailure() {
    Throwable t = failure;
    if (t != null)
      throw new IllegalStateException(
          "the learner thread failed: " + t + "; the task restarts from its stores", t);
  }

  private void run() {
    while (true) {
      Object item;
      try {
        item = queue.take();
      } catch (
          InterruptedException e) { // nobody should; keep serving, or progress() would wait forever
        if (failure == null) failure = e;
        continue;
      }
      if (item == STOP) return;
      if (item instanceof SnapshotRequest r) {
        if (failure == null) {
          try {
            snapshots.add(learner.snapshot(r.version()));
          } catch (Throwable t) {
            failure = t;
          }
        }
      } else if (item instanceof CheckpointRequest c) {
        if (failure == null) {
          try {
            images.add(ModelStore.capture(learner, c.records()));
          } catch (Throwable t) {
            failure = t;
          }
        }
      } else {
        String[] tokens = (String[]) item;
        if (failure == null) {
          try {
            learn.accept(tokens);
          } catch (Throwable t) { // OutOfMemoryError included: the stream thread must hear of it
            failure = t;
          }
        }
        learned++;
        long queued = queuedTokens.addAndGet(-weight(tokens));
        Thread waiter = waitingSubmitter;
        if (waiter != null && queued <= resumeAt) LockSupport.unpark(waiter);
        CompletableFuture<Progress> request = progressRequest;
        if (request != null) {
          progressRequest = null;
          if (failure == null) request.complete(new Progress(learned, learner.stats()));
          else request.completeExceptionally(failure);
        }
      }
    }
  }
}
