package io.streamvec.app.testing;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waiting in tests: a condition checked again and again (first after 1 ms, then at most every 100
 * ms) until it holds, or an AssertionError that says what was awaited and for how long.
 *
 * <pre>
 * Await.await("the app created " + topic, () -> admin.listTopics().names().get().contains(topic),
 *     Duration.ofMinutes(2));
 * </pre>
 */
public final class Await {
  private static final long MAX_PAUSE_MS = 100;

  /** A check that may throw; an exception ends the wait (as an AssertionError if checked). */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  public static void await(String description, Condition condition, Duration timeout) {
    await(() -> description, condition, timeout);
  }

  /**
   * As {@link #await(String, Condition, Duration)}; the description is computed on failure, so it
   * can show the state the wait ended in.
   */
  public static void await(Supplier<String> description, Condition condition, Duration timeout) {
    boolean held;
    try {
      held = holdsWithin(condition, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for: " + description.get(), e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e + " while waiting for: " + description.get(), e);
    }
    if (!held)
      throw new AssertionError(
          "timed out after "
              + timeout.toMillis() / 1000.0
              + " s waiting for: "
              + description.get());
  }

  /**
   * Whether the condition held within timeout (checked at least once), for a test that reports what
   * never happened itself.
   */
  public static boolean holdsWithin(Condition condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMs = 1;
    while (!condition.holds()) {
      if (System.nanoTime() - deadline > 0) return false;
      Thread.sleep(pauseMs);
      pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2);
    }
    return true;
  }
}
