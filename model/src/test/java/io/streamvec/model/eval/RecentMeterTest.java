package io.streamvec.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentMeterTest {

  @Test
  void halfLifeOfOneTokenHalvesEachPastObservation() {
    RecentMeter m = new RecentMeter(1);
    m.recordCheap(1, 4, 1);
    m.recordCheap(2, 2, 1);
    // cheap mean (4 * 1/2 + 2) / (1/2 + 1) = 8/3; no exact sample yet: nothing calibrated
    assertEquals(Double.NaN, m.crossEntropyBits());
    m.recordExact(2, 3, 1, 1, 2.5, 1);
    assertEquals(0.5, m.calibrationBits(), 0);
    assertEquals(8.0 / 3 + 0.5, m.crossEntropyBits(), 1e-15);
    m.recordExact(4, 1, 0, 0.5, 2, 1);
    // exact weights 1/4 and 1: bits (3/4 + 1) / (5/4) = 1.4, top-1 (1/4) / (5/4) = 0.2,
    // top-5 (1/4 + 1/2) / (5/4) = 0.6, offset (1/8 - 1) / (5/4) = -0.7
    assertEquals(1.4, m.exactCrossEntropyBits(), 1e-15);
    assertEquals(0.2, m.top1(), 1e-15);
    assertEquals(0.6, m.top5(), 1e-15);
    assertEquals(-0.7, m.calibrationBits(), 1e-15);
    assertEquals(1.25, m.exactSampleSize(4), 1e-15);
    assertEquals(0.625, m.exactSampleSize(5), 1e-15);
  }

  @Test
  void afterOneHalfLifeALongPastAndTheNewLevelWeighEqually() {
    RecentMeter m = new RecentMeter(1000);
    long t = 0;
    for (int i = 0; i < 100_000; i++) m.recordCheap(++t, 10, 1);
    for (int i = 0; i < 1000; i++) m.recordCheap(++t, 6, 1);
    m.recordExact(t, 8, 0, 0, 8, 1); // offset 0
    // the past (100 half-lives) weighs 1/2 of the total, within 2^-100
    assertEquals(8, m.crossEntropyBits(), 1e-9);
  }

  @Test
  void matchesAReferenceSumOfExplicitWeights() {
    Random r = new Random(7);
    double h = 37.5;
    RecentMeter m = new RecentMeter(h);
    List<double[]> cheap = new ArrayList<>(), exact = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 3000; i++) {
      t += 1 + r.nextInt(3);
      double bits = 2 + 6 * r.nextDouble(), w = 1 + 9 * r.nextDouble();
      m.recordCheap(t, bits, w);
      cheap.add(new double[] {t, bits, w});
      if (r.nextInt(10) == 0) {
        double e = bits + r.nextGaussian(), top1 = r.nextInt(2), top5 = r.nextDouble();
        double we = 1 + r.nextInt(100);
        m.recordExact(t, e, top1, top5, bits, we);
        exact.add(new double[] {t, e, top1, top5, e - bits, we});
      }
    }
    double cs = 0, cw = 0;
    for (double[] c : cheap) {
      double a = Math.pow(2, -(t - c[0]) / h);
      cs += a * c[2] * c[1];
      cw += a * c[2];
    }
    double[] es = new double[5];
    double count = 0;
    for (double[] e : exact) {
      double a = Math.pow(2, -(t - e[0]) / h);
      count += a;
      es[0] += a * e[5];
      for (int j = 1; j < 5; j++) es[j] += a * e[5] * e[j];
    }
    assertEquals(es[1] / es[0], m.exactCrossEntropyBits(), 1e-9);
    assertEquals(es[2] / es[0], m.top1(), 1e-9);
    assertEquals(es[3] / es[0], m.top5(), 1e-9);
    assertEquals(es[4] / es[0], m.calibrationBits(), 1e-9);
    assertEquals(cs / cw + es[4] / es[0], m.crossEntropyBits(), 1e-9);
    assertEquals(count, m.exactSampleSize(t), 1e-9 * count);
  }

  @Test
  void roundTripsAndValidates() throws IOException {
    RecentMeter m = new RecentMeter(250);
    for (int t = 1; t < 500; t++) m.recordCheap(t, t % 7, 1.5);
    m.recordExact(499, 3, 0.5, 1, 2, 40);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    m.write(new DataOutputStream(bytes));
    RecentMeter back =
        RecentMeter.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    m.recordCheap(600, 4, 1);
    back.recordCheap(600, 4, 1);
    assertEquals(m.crossEntropyBits(), back.crossEntropyBits(), 0);
    assertEquals(250, back.halfLife(), 0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new RecentMeter(0.5));
    assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> m.setHalfLife(Double.NaN));
  }
}
