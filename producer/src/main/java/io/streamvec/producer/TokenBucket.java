package io.streamvec.producer;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * At most `rate` permits per second on average, with bursts of up to a tenth of a second's worth
 * (at least one): tokens refill continuously with elapsed time; {@link #acquire} waits until one is
 * there. Single-threaded.
 */
final class TokenBucket {
  private final double rate; // permits per second
  private final double capacity; // most permits saved up
  private double tokens;
  private long last;

  TokenBucket(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate))
      throw new IllegalArgumentException("rate must be a positive number, got " + rate);
    this.rate = rate;
    this.capacity = Math.max(1, rate / 10);
    this.tokens = 1;
    this.last = System.nanoTime();
  }

  /**
   * Takes one permit, waiting as long as needed; returns false (without one) if stop turns true
   * first.
   */
  boolean acquire(BooleanSupplier stop) {
    while (true) {
      long now = System.nanoTime();
      tokens = Math.min(capacity, tokens + (now - last) * rate / 1e9);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      if (stop.getAsBoolean()) return false;
      // sleep until one token is there, but wake at least every 100 ms to look at stop
      long waitNanos = (long) Math.ceil((1 - tokens) / rate * 1e9);
      LockSupport.parkNanos(Math.min(waitNanos, 100_000_000L));
    }
  }
}
