package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  @Test
  void permitsArriveAtTheConfiguredRate() {
    TokenBucket b = new TokenBucket(2000);
    long t0 = System.nanoTime();
    for (int i = 0; i < 1000; i++) assertTrue(b.acquire(() -> false));
    double s = (System.nanoTime() - t0) / 1e9;
    // 1000 permits at 2000/s: 0.5 s minus the initial burst of at most 200 (0.1 s)
    assertTrue(s >= 0.39 && s < 2.0, "1000 permits at 2000/s took " + s + " s");
  }

  @Test
  void aStopRequestEndsTheWait() {
    TokenBucket b = new TokenBucket(0.01); // one permit per 100 s
    assertTrue(b.acquire(() -> false)); // the first one is there at once
    long t0 = System.nanoTime();
    assertFalse(b.acquire(() -> System.nanoTime() - t0 > 200_000_000L));
    assertTrue((System.nanoTime() - t0) / 1e9 < 2, "stop was noticed late");
  }
}
