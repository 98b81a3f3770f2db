package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A slice goes when the learner's queue is at least 3/4 full, when the stream thread has not found
 * the queue full for MAX_WAIT_MS, when no line came since the last call, or when a slice last could
 * go MAX_WAIT_MS ago; never otherwise.
 */
class SlicePacerTest {
  private static final long CAPACITY = 262_144;
  private static final long FULL_ENOUGH = 196_608; // 3/4 of CAPACITY

  @Test
  void whereTheLearnerSetsThePaceASliceWaitsForAQueueThreeQuartersFull() {
    SlicePacer p = new SlicePacer();
    long records = 100, waits = 0; // the stream thread finds the queue full between calls
    assertTrue(p.mayGo(10_000, records += 7, ++waits, FULL_ENOUGH, CAPACITY));
    assertFalse(p.mayGo(10_050, records += 7, ++waits, FULL_ENOUGH - 1, CAPACITY));
    assertFalse(p.mayGo(10_100, records += 7, ++waits, 0, CAPACITY));
    assertTrue(p.mayGo(10_150, records += 7, ++waits, FULL_ENOUGH, CAPACITY));
    assertTrue(p.mayGo(10_200, records += 7, ++waits, CAPACITY, CAPACITY));
  }

  @Test
  void anIdleInputLetsTheSliceGo() {
    SlicePacer p = new SlicePacer();
    assertTrue(p.mayGo(10_000, 500, 1, CAPACITY, CAPACITY));
    assertFalse(p.mayGo(10_050, 501, 2, 10, CAPACITY));
    // no record since the last call: the queue will not fill, waiting gains nothing
    assertTrue(p.mayGo(10_100, 501, 2, 10, CAPACITY));
    assertFalse(p.mayGo(10_150, 502, 3, 10, CAPACITY));
  }

  @Test
  void aSliceWaitsAtMostMaxWaitAfterTheLastOneThatCouldGo() {
    SlicePacer p = new SlicePacer();
    long records = 0, waits = 0;
    assertTrue(p.mayGo(5_000, ++records, ++waits, CAPACITY, CAPACITY));
    long t = 5_000;
    while (t + 50 < 5_000 + SlicePacer.MAX_WAIT_MS)
      assertFalse(p.mayGo(t += 50, ++records, ++waits, 0, CAPACITY), "at " + t);
    assertTrue(p.mayGo(5_000 + SlicePacer.MAX_WAIT_MS, ++records, ++waits, 0, CAPACITY));
    // the wait starts again from there
    assertFalse(p.mayGo(5_050 + SlicePacer.MAX_WAIT_MS, ++records, ++waits, 0, CAPACITY));
  }

  @Test
  void aLearnerThatKeepsUpWithTheInputDoesNotHoldSlicesBack() {
    SlicePacer p = new SlicePacer();
    long records = 0;
    // lines trickle in, the queue stays nearly empty and was last found full at 2,000
    assertTrue(p.mayGo(2_000, ++records, 4, CAPACITY, CAPACITY));
    assertFalse(p.mayGo(2_050, ++records, 4, 30, CAPACITY));
    assertFalse(p.mayGo(2_950, ++records, 4, 30, CAPACITY));
    // from MAX_WAIT_MS after the last full queue on, every slice goes at once
    for (long t = 2_000 + SlicePacer.MAX_WAIT_MS; t < 4_000; t += 50)
      assertTrue(p.mayGo(t, ++records, 4, 30, CAPACITY), "at " + t);
    // the queue is found full again: slices wait for it again
    assertFalse(p.mayGo(4_000, ++records, 5, 30, CAPACITY));
  }
}
