package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.Rng;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * The ring between the caller and the step thread ({@link StepThread}), against a log of what a
 * plain loop on one thread would have applied: every slot once, in order, with its own values,
 * through batched publishing, parking on both sides and a full ring; and no wait that never ends.
 */
class StepThreadTest {
  private static final int P = 3, K = 2, D = 4;
  private static final Duration LIMIT = Duration.ofSeconds(20);

  /** Records each slot it is given as a line of text. */
  private static class Log implements StepThread.Steps {
    final List<String> applied = new ArrayList<>();
    Semaphore gate; // when set: one permit per slot (a step thread slower than the caller)

    @Override
    public void train(int target, int[] ctx, int[] negs, double keepP, float corr, long tokens) {
      pass();
      applied.add(train(target, ctx, negs, keepP, corr, tokens, ""));
    }

    @Override
    public void resetRow(int row, float[] init, int io) {
      pass();
      float[] e = new float[D];
      System.arraycopy(init, io, e, 0, D);
      applied.add(reset(row, e));
    }

    @Override
    public void prefetch(int target, int[] ctx, int co, int[] negatives, int no) {}

    private void pass() {
      if (gate != null) gate.acquireUninterruptibly();
    }

    static String train(int t, int[] ctx, int[] negs, double keep, float corr, long n, String s) {
      return s
          + "train "
          + t
          + " "
          + java.util.Arrays.toString(ctx)
          + " "
          + java.util.Arrays.toString(negs)
          + " "
          + keep
          + " "
          + corr
          + " "
          + n;
    }

    static String reset(int row, float[] e) {
      return "reset " + row + " " + java.util.Arrays.toString(e);
    }
  }

  /** Queues n slots (every 7th a reset), returning what one thread would have applied. */
  private static List<String> queue(StepThread ring, int from, int n, long seed) {
    List<String> expected = new ArrayList<>();
    Rng values = new Rng(seed + from);
    for (int i = from; i < from + n; i++) {
      if (i % 7 == 3) {
        Rng draw = new Rng(seed * 31 + i);
        float[] e = new float[D];
        for (int j = 0; j < D; j++) e[j] = (draw.nextFloat() - 0.5f) / D;
        Rng rng = new Rng(seed * 31 + i);
        ring.resetRow(i % 100, rng);
        // the caller's RNG moves on by the row's draws, as if it had drawn the row itself
        assertEquals(draw.state(), rng.state(), "RNG state after the reset of slot " + i);
        expected.add(Log.reset(i % 100, e));
      } else {
        int[] ctx = new int[P], negs = new int[K];
        for (int j = 0; j < P; j++) ctx[j] = values.nextInt(1000);
        for (int j = 0; j < K; j++) negs[j] = values.nextInt(1000) - 1;
        double keep = values.nextDouble();
        float corr = values.nextFloat();
        ring.train(i, ctx, negs, keep, corr, i * 3L);
        expected.add(Log.train(i, ctx, negs, keep, corr, i * 3L, ""));
        ctx[0] = -5; // the ring copied them
        negs[0] = -5;
      }
    }
    return expected;
  }

  @Test
  void appliesEverySlotInOrderAcrossManyWrapsOfTheRing() {
    Log log = new Log();
    StepThread ring = new StepThread(log, P, K, D);
    List<String> expected = new ArrayList<>();
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          int n = 0;
          for (int round = 0; round < 20; round++) { // below, at and over a batch and a ring
            int size = 1 + (round * 7919) % (3 * StepThread.SLOTS);
            expected.addAll(queue(ring, n, size, 5));
            n += size;
            if (round % 3 == 0) ring.drain(); // else the next round queues behind pending slots
          }
          ring.stop();
        });
    assertEquals(expected.size(), log.applied.size());
    assertArrayEquals(expected.toArray(), log.applied.toArray());
  }

  /**
   * The step thread parks until WAKE slots are ready. A drain must wake it for fewer, also right
   * after a whole batch was published (nothing left to publish), and also when an earlier drain
   * woke it for nothing (it parks again, and must say again what it waits for).
   */
  @Test
  void drainWakesAStepThreadParkedOnFewerThanWakeSlots() throws InterruptedException {
    Log log = new Log();
    StepThread ring = new StepThread(log, P, K, D);
    List<String> expected = new ArrayList<>(queue(ring, 0, StepThread.BATCH, 9));
    assertTimeoutPreemptively(LIMIT, ring::drain, ring::toString);
    awaitParked(ring.thread());
    assertTimeoutPreemptively(LIMIT, ring::drain, ring::toString); // wakes it for nothing
    Thread.sleep(50);
    awaitParked(ring.thread());
    expected.addAll(queue(ring, StepThread.BATCH, StepThread.BATCH, 9)); // published, < WAKE
    assertTimeoutPreemptively(LIMIT, ring::drain, ring::toString);
    assertEquals(expected, log.applied);
    ring.stop();
  }

  private static void awaitParked(Thread t) throws InterruptedException {
    while (t.getState() != Thread.State.WAITING) Thread.sleep(1);
  }

  /** A step thread slower than the caller: the caller parks on a full ring and is woken. */
  @Test
  void callerWaitsOnAFullRingAndIsWoken() {
    Log log = new Log();
    log.gate = new Semaphore(0);
    StepThread ring = new StepThread(log, P, K, D);
    Thread releaser =
        new Thread(
            () -> {
              int perMs = StepThread.SLOTS / 64; // a ring in 64 ms: slower than the caller
              for (int i = 0; i < 6 * StepThread.SLOTS; i += perMs) {
                log.gate.release(perMs);
                try {
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    releaser.start();
    List<String> expected =
        assertTimeoutPreemptively(
            LIMIT,
            () -> {
              List<String> q = queue(ring, 0, 6 * StepThread.SLOTS, 11);
              ring.drain();
              return q;
            });
    assertEquals(expected, log.applied);
    ring.stop();
  }

  /**
   * Tasks queued among the steps ({@link StepThread#queue}) run in stream order on a step thread
   * slower than the caller, and {@link StepThread#awaitApplied} returns only once its task (and
   * every slot before it) ran, without a drain of the slots queued after it.
   */
  @Test
  void queuedTasksRunInOrderAndAreAwaited() {
    Log log = new Log();
    log.gate = new Semaphore(0);
    StepThread ring = new StepThread(log, P, K, D);
    Thread releaser =
        new Thread(
            () -> {
              for (int i = 0; i < 200; i++) {
                log.gate.release(40);
                try {
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    releaser.start();
    List<String> expected = new ArrayList<>();
    int[] ranAfter = new int[20]; // of each task: the slots applied before it
    java.util.Arrays.fill(ranAfter, -1);
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          long last = 0;
          for (int round = 0; round < 20; round++) {
            expected.addAll(queue(ring, round * 300, 1 + round * 37 % 300, 13));
            String name = "task " + round;
            int r = round;
            Runnable task =
                () -> {
                  log.gate.acquireUninterruptibly();
                  ranAfter[r] = log.applied.size();
                  log.applied.add(name);
                };
            expected.add(name);
            int before = expected.size();
            long place = ring.queue(task);
            assertTrue(place > last);
            last = place;
            expected.addAll(queue(ring, round * 300 + 1000, 5, 13)); // after it: not awaited
            if (round % 2 == 0) {
              ring.awaitApplied(place);
              assertEquals(before - 1, ranAfter[round], "round " + round);
            }
          }
          ring.drain();
        });
    assertEquals(expected, log.applied);
    ring.stop();
  }

  /** Also without a drain: the caller hears of it within a batch or two of queued slots. */
  @Test
  void aFailedStepSurfacesWhileTheCallerQueues() {
    StepThread.Steps failing =
        new Log() {
          @Override
          public void train(int t, int[] ctx, int[] negs, double keep, float corr, long n) {
            if (t == 5) throw new ArithmeticException("step 5");
          }
        };
    StepThread ring = new StepThread(failing, P, K, D);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> {
              queue(ring, 0, StepThread.WAKE, 3); // enough to wake it: it fails at step 5
              ring.thread().join(LIMIT.toMillis());
              queue(ring, 1000, StepThread.BATCH, 3);
            });
    assertEquals("step 5", e.getCause().getMessage());
  }

  @Test
  void aFailedStepSurfacesInTheCallersNextDrain() {
    StepThread.Steps failing =
        new Log() {
          @Override
          public void train(int t, int[] ctx, int[] negs, double keep, float corr, long n) {
            if (t == 40) throw new ArithmeticException("step 40");
          }
        };
    StepThread ring = new StepThread(failing, P, K, D);
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          queue(ring, 0, 100, 3);
          IllegalStateException e = assertThrows(IllegalStateException.class, ring::drain);
          assertEquals("step 40", e.getCause().getMessage());
        });
  }
}
