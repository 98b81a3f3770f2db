package io.streamvec.trainer;

import io.streamvec.model.eval.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a {@link StreamObserver} (the n-gram baseline) on its own thread, so with --threads 2 its
 * cost leaves the learning thread. The learner's calls become 64-bit events in a single-producer,
 * single-consumer ring; the observer sees them in the same order as it would inline, so its results
 * are identical. Read the observer only after {@link #drain()}.
 *
 * <p>Event: bit 63 = slot event; token: target (bits 31..62), v (1..30), scored (0); slot: slot
 * (bits 1..31), reused (0). Ids and v are below 2^26 (vocab-size is at most 5e7).
 */
final class ObserverThread implements StreamObserver, AutoCloseable {
  private static final long SLOT_EVENT = 1L << 63;
  private static final long PARK_NANOS = 20_000;
  private final StreamObserver target;
  private final long[] ring; // (2^16) events
  private final int mask;
  private final AtomicLong written = new AtomicLong(), read = new AtomicLong();
  private long produced; // producer's own copy of written
  private final Thread consumer;
  private volatile boolean closed;
  private volatile Throwable failure;

  ObserverThread(StreamObserver target) {
    this.target = target;
    this.ring = new long[1 << 16];
    this.mask = ring.length - 1;
    this.consumer = new Thread(this::consume, "streamvec-baseline");
    consumer.setDaemon(true);
    consumer.start();
  }

  @Override
  public void slotAssigned(int slot, boolean reused) {
    put(SLOT_EVENT | ((long) slot << 1) | (reused ? 1 : 0));
  }

  @Override
  public void token(int target, int v, boolean scored) {
    put(((long) target << 31) | ((long) v << 1) | (scored ? 1 : 0));
  }

  private void put(long event) {
    while (produced - read.get() == ring.length) waitForConsumer();
    ring[(int) produced & mask] = event;
    written.lazySet(++produced); // release: the slot is written before it is published
  }

  /** Waits until the observer has handled every event so far. */
  void drain() {
    while (read.get() < produced) waitForConsumer();
  }

  private void waitForConsumer() {
    Throwable f = failure;
    if (f != null) throw new IllegalStateException("the baseline thread failed: " + f, f);
    LockSupport.parkNanos(PARK_NANOS);
  }

  private void consume() {
    try {
      long r = 0;
      while (true) {
        long w = written.get();
        if (r == w) {
          if (closed) return;
          LockSupport.parkNanos(PARK_NANOS);
          continue;
        }
        for (; r < w; r++) {
          long e = ring[(int) r & mask];
          if ((e & SLOT_EVENT) != 0)
            target.slotAssigned((int) ((e & ~SLOT_EVENT) >>> 1), (e & 1) != 0);
          else target.token((int) (e >>> 31), (int) ((e >>> 1) & 0x3FFF_FFFF), (e & 1) != 0);
        }
        read.lazySet(r);
      }
    } catch (Throwable t) {
      failure = t;
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      consumer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
