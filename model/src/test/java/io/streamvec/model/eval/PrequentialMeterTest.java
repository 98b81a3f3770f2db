package io.streamvec.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Top-k with ties counts the expected hit of a random tie-break, never a tie as a sure hit. */
class PrequentialMeterTest {

  private static float[] logp(float... scores) {
    return scores;
  }

  @Test
  void aModelThatCannotTellWordsApartGetsKOverV() {
    PrequentialMeter m = new PrequentialMeter(10);
    float[] uniform = new float[10];
    java.util.Arrays.fill(uniform, (float) Math.log(0.1));
    m.record(uniform, 10, 3);
    assertEquals(0.1, m.top1(), 1e-7);
    assertEquals(0.5, m.top5(), 1e-7);
    assertEquals(Math.log(10) / Math.log(2), m.crossEntropyBits(), 1e-6);
  }

  @Test
  void tiesShareTheRemainingPlaces() {
    PrequentialMeter m = new PrequentialMeter(100);
    // target 0 strictly best: a hit
    m.record(logp(-1, -2, -3, -4, -5, -6, -7), 7, 0);
    assertEquals(1, m.lastTop1());
    assertEquals(1, m.lastTop5());
    // tied with one other for first place: half a top-1 hit, a sure top-5 hit
    m.record(logp(-1, -1, -2, -3, -4, -5, -6), 7, 0);
    assertEquals(0.5, m.lastTop1());
    assertEquals(1, m.lastTop5());
    // 4 strictly better, tied with 2 others for places 5..7: 1/3 of a top-5 hit
    m.record(logp(-5, -1, -1, -1, -1, -5, -5), 7, 0);
    assertEquals(0, m.lastTop1());
    assertEquals(1.0 / 3, m.lastTop5(), 1e-15);
    // 5 strictly better: a miss whatever the ties
    m.record(logp(-5, -1, -1, -1, -1, -1, -5), 7, 0);
    assertEquals(0, m.lastTop5());
    assertEquals((1 + 0.5) / 4, m.top1(), 1e-15);
    assertEquals((1 + 1 + 1.0 / 3) / 4, m.top5(), 1e-15);
    assertEquals(m.top5(), m.windowTop5(), 1e-7);
  }

  @Test
  void hitFractionByRule() {
    assertEquals(1, PrequentialMeter.hitFraction(1, 0, 0));
    assertEquals(0.25, PrequentialMeter.hitFraction(1, 0, 3));
    assertEquals(0, PrequentialMeter.hitFraction(1, 1, 0));
    assertEquals(1, PrequentialMeter.hitFraction(5, 2, 2));
    assertEquals(0.5, PrequentialMeter.hitFraction(5, 3, 3));
  }
}
