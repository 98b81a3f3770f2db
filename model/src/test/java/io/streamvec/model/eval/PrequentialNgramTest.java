package io.streamvec.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.lm.BruteForceKneserNey;
import io.streamvec.model.nn.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrequentialNgramTest {
  static final double LOG2 = Math.log(2);

  static double sumOverVocabulary(PrequentialNgram m, int v) {
    double s = 0;
    for (int w = 0; w < v; w++) s += m.probability(w, v);
    return s;
  }

  @ParameterizedTest(name = "order {0}")
  @ValueSource(ints = {1, 2, 3, 4})
  void probabilitiesOverTheCurrentWordsSumToOneAlsoAfterSlotReuse(int order) {
    Rng rng = new Rng(7);
    PrequentialNgram m = new PrequentialNgram(order, 100);
    int v = 3;
    for (int t = 0; t < 20_000; t++) {
      if (v < 40 && rng.nextFloat() < 0.01) m.slotAssigned(v++, false);
      if (v > 5 && rng.nextFloat() < 0.005)
        m.slotAssigned(2 + (int) (rng.nextFloat() * (v - 2)), true);
      // a skewed stream so contexts repeat: ids near 0 are frequent
      int w = Math.min(v - 1, (int) (v * Math.pow(rng.nextFloat(), 3)));
      m.token(w, v, false);
      if (t % 997 == 0)
        assertEquals(1.0, sumOverVocabulary(m, v), 1e-6, "sum at t=" + t + ", v=" + v);
    }
  }

  @Test
  void aHandCheckedBigramExample() {
    // ids: 0 <unk>, 1 </s>, 2 a, 3 b; stream "a b a" after </s>, order 2.
    PrequentialNgram m = new PrequentialNgram(2, 10);
    for (int w : new int[] {2, 3, 2}) m.token(w, 4, false);
    // bigrams (</s> a) (a b) (b a): n1 = 3, n2 = 0 -> D2 = 1, kept at 0.95.
    // continuation counts N1+(. a) = 2 (</s>, b), N1+(. b) = 1: n1 = n2 = 1 -> D1 = 1/3; total 3,
    // types 2.
    assertEquals(0.95, m.discount(2), 1e-12);
    assertEquals(1.0 / 3, m.discount(1), 1e-12);
    double p1b = (1 - 1.0 / 3 + 1.0 / 3 * 2 * 0.25) / 3; // 5/18
    double p1a = (2 - 1.0 / 3 + 1.0 / 3 * 2 * 0.25) / 3; // 11/18
    double p1unk = (1.0 / 3 * 2 * 0.25) / 3; // 1/18
    // context "a": total 1, types 1, c(a b) = 1
    assertEquals(0.05 + 0.95 * p1b, m.probability(3, 4), 1e-12);
    assertEquals(0.95 * p1a, m.probability(2, 4), 1e-12);
    assertEquals(0.95 * p1unk, m.probability(0, 4), 1e-12);
    assertEquals(0.95 * p1unk, m.probability(1, 4), 1e-12);
    assertEquals(0.313888888888889, m.probability(3, 4), 1e-12);
  }

  @Test
  void matchesABruteForceKneserNeyRecountedFromTheWholeStream() {
    Rng rng = new Rng(11);
    int order = 3, v = 6;
    PrequentialNgram m = new PrequentialNgram(order, 10);
    List<Integer> stream = new ArrayList<>();
    for (int t = 0; t < 400; t++) {
      if (t % 7 == 0) {
        BruteForceKneserNey ref = new BruteForceKneserNey(order, stream);
        for (int w = 0; w < v; w++)
          assertEquals(ref.probability(w, v), m.probability(w, v), 1e-12, "t=" + t + " w=" + w);
      }
      int w = (int) (v * Math.pow(rng.nextFloat(), 2));
      m.token(w, v, false);
      stream.add(w);
    }
  }

  @Test
  void approachesTheEntropyRateOfAMarkovSource() {
    // the grammar of GrammarEntropyTest: 24 states, each with successors of probability .6 .3 .1
    int states = 24;
    double[] p = {0.6, 0.3, 0.1};
    double rate = 0;
    for (double q : p) rate -= q * Math.log(q) / LOG2;
    Rng rng = new Rng(123);
    PrequentialNgram m = new PrequentialNgram(3, 5000);
    int v = states + 2, state = 0;
    for (int t = 0; t < 60_000; t++) {
      double u = rng.nextDouble();
      int b = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
      state = (state * 7 + b * 5 + 1) % states;
      m.token(2 + state, v, true);
    }
    double bits = m.windowCrossEntropyBits();
    assertTrue(bits >= rate - 0.05, "cannot beat the entropy rate: " + bits + " < " + rate);
    assertEquals(
        rate,
        bits,
        0.05,
        "last 5000 tokens vs entropy rate " + rate + " (log2 v = " + Math.log(v) / LOG2 + ")");
    assertTrue(m.crossEntropyBits() > bits, "the cumulative figure includes the learning phase");
  }

  @Test
  void aDeterministicSequenceCostsNearlyNothing() {
    PrequentialNgram m = new PrequentialNgram(3, 1000);
    for (int t = 0; t < 30_000; t++) m.token(2 + (t % 10), 12, true);
    assertTrue(m.windowCrossEntropyBits() < 0.01, "window bits " + m.windowCrossEntropyBits());
    assertTrue(m.crossEntropyBits() < 0.05, "cumulative bits " + m.crossEntropyBits());
    assertEquals(30_000, m.scored());
  }

  @Test
  void aReusedSlotStartsWithoutTheOldWordsCounts() {
    // a=2, b=3, c=4 (never seen); "a b a b ..." makes p(b | a) close to 1
    PrequentialNgram m = new PrequentialNgram(3, 10);
    int v = 5;
    for (int t = 0; t < 1000; t++) m.token(2 + (t % 2), v, false);
    assertTrue(m.probability(2, v) > 0.99); // the stream ended with b: next is a
    m.token(2, v, false);
    assertTrue(m.probability(3, v) > 0.99); // after a comes b
    m.slotAssigned(3, true); // b is evicted; a new word takes slot 3
    m.token(2, v, false); // history: a, <unk> (b became <unk>)
    assertEquals(
        m.probability(4, v),
        m.probability(3, v),
        1e-15,
        "the new word in slot 3 is as unseen as c");
    assertEquals(1.0, sumOverVocabulary(m, v), 1e-9);
  }

  @Test
  void countingAndScoringKnownNgramsAllocatesNothing() {
    var bean = java.lang.management.ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        bean instanceof com.sun.management.ThreadMXBean tb
            && tb.isThreadAllocatedMemorySupported());
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    Rng rng = new Rng(5);
    int v = 50;
    int[] stream = new int[200_000];
    for (int t = 0; t < stream.length; t++) stream[t] = (int) (v * Math.pow(rng.nextFloat(), 2));
    PrequentialNgram m = new PrequentialNgram(3, 1000);
    for (int round = 0; round < 2; round++)
      for (int w : stream) m.token(w, v, true); // warm-up: every n-gram stored, JIT
    long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    for (int w : stream) m.token(w, v, true);
    long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    assertTrue(
        allocated < 16 * 1024, stream.length + " known tokens allocated " + allocated + " bytes");
  }

  @Test
  void rejectsABadOrder() {
    assertThrows(IllegalArgumentException.class, () -> new PrequentialNgram(0, 10));
  }
}
