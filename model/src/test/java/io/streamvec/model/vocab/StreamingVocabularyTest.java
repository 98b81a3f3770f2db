package io.streamvec.model.vocab;

import static io.streamvec.model.vocab.StreamingVocabulary.EOS;
import static io.streamvec.model.vocab.StreamingVocabulary.UNK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.text.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingVocabularyTest {
  private static final double NO_DECAY = Double.POSITIVE_INFINITY;

  /** Observes each space-separated word; returns the ids. */
  private static List<Integer> feed(StreamingVocabulary v, String words) {
    List<Integer> ids = new ArrayList<>();
    for (String w : words.trim().split("\\s+")) {
      ids.add(v.observe(w));
    }
    return ids;
  }

  private static void repeat(StreamingVocabulary v, String word, int times) {
    for (int i = 0; i < times; i++) {
      v.observe(word);
    }
  }

  @Test
  void admitsAWordWhenItReachesMinCount() {
    StreamingVocabulary v = new StreamingVocabulary(10, 3, 1e9, 100);
    List<int[]> assigned = new ArrayList<>();
    v.setListener((slot, reused) -> assigned.add(new int[] {slot, reused ? 1 : 0}));
    assertEquals(List.of(UNK, UNK), feed(v, "apple apple"));
    assertEquals(2, v.size());
    assertEquals(UNK, v.id("apple"));
    assertEquals(2, v.observe("apple"), "third occurrence admits it");
    assertEquals(3, v.size());
    assertEquals("apple", v.word(2));
    assertEquals(3.0, v.count(2), 1e-6);
    assertEquals(1, v.admissions());
    assertEquals(1, assigned.size());
    assertEquals(2, assigned.get(0)[0]);
    assertEquals(0, assigned.get(0)[1]);
    assertEquals(2, v.observe("apple"));
  }

  @Test
  void minCountOneAdmitsAtFirstOccurrenceWithCountExactlyOne() {
    StreamingVocabulary v = new StreamingVocabulary(10, 1, 1000, 100);
    assertEquals(List.of(2, 3), feed(v, "x y"));
    assertEquals(1.0, v.count(3), "the newest occurrence weighs exactly 1");
    assertEquals(2, v.observe("x"));
  }

  @Test
  void evictsTheLeastFrequentOnlyForAMoreFrequentCandidate() {
    StreamingVocabulary v = new StreamingVocabulary(4, 1, NO_DECAY, 100);
    List<String> events = new ArrayList<>();
    v.setListener((slot, reused) -> events.add(slot + (reused ? "r" : "n")));
    assertEquals(List.of(2, 2, 2, 3), feed(v, "a a a b"));
    assertEquals(UNK, v.observe("c"), "c (1) is not more frequent than b (1)");
    assertEquals(0, v.evictions());
    assertEquals(3, v.observe("c"), "c (2) beats b (1) and takes its slot");
    assertEquals(1, v.evictions());
    assertEquals(UNK, v.id("b"));
    assertEquals(2.0, v.count(3));
    assertEquals(
        UNK, v.observe("b"), "b is back in the candidates with its count 1, now 2: not > 2");
    assertEquals(3, v.observe("b"), "b (3) beats c (2)");
    assertEquals(List.of("2n", "3n", "3r", "3r"), events);
    assertEquals(3.0, v.count(3));
  }

  @Test
  void tiesEvictTheLowestSlot() {
    StreamingVocabulary v = new StreamingVocabulary(5, 1, NO_DECAY, 100);
    assertEquals(List.of(2, 3, 4, UNK, 2), feed(v, "a b c d d"));
    assertEquals("d", v.word(2));
    assertEquals("b", v.word(3));
  }

  @Test
  void bulkCountsAreTheCountsOneByOne() {
    StreamingVocabulary v = new StreamingVocabulary(50, 1, 37, 20);
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    for (int i = 0; i < 5_000; i++) v.observe("w" + (int) Math.exp(r.nextDouble() * 5));
    int n = v.size();
    double[] out = new double[n + 1];
    out[n] = -1;
    v.counts(out, n);
    for (int i = 0; i < n; i++) {
      assertEquals(Double.doubleToRawLongBits(v.count(i)), Double.doubleToRawLongBits(out[i]));
    }
    assertEquals(-1, out[n], "nothing past n");
    assertThrows(IllegalArgumentException.class, () -> v.counts(new double[n + 1], n + 1));
  }

  @Test
  void countsHalveEveryHalfLife() {
    StreamingVocabulary v = new StreamingVocabulary(10, 1, 100, 10);
    int id = v.observe("w");
    assertEquals(1.0, v.count(id));
    repeat(v, Tokenizer.EOS, 100);
    assertEquals(0.5, v.count(id), 1e-12);
    repeat(v, Tokenizer.EOS, 100);
    assertEquals(0.25, v.count(id), 1e-12);
    assertEquals(v.count(UNK) + v.count(EOS) + v.count(id), v.totalCount(), 1e-9);
  }

  @Test
  void aRecentlyFrequentWordBeatsOneFrequentLongAgo() {
    for (double halfLife : new double[] {100, NO_DECAY}) {
      StreamingVocabulary v = new StreamingVocabulary(3, 2, halfLife, 10);
      repeat(v, "old", 50);
      repeat(v, Tokenizer.EOS, 1000);
      repeat(v, "new", 5);
      String expected = halfLife == NO_DECAY ? "old" : "new";
      assertEquals(expected, v.word(2), "half-life " + halfLife);
    }
  }

  @Test
  void equallyFrequentWordsDoNotSwapSlotsOnEveryOccurrence() {
    StreamingVocabulary v = new StreamingVocabulary(3, 1, 50, 4);
    for (int i = 0; i < 2000; i++) {
      v.observe("w" + (i % 7));
    }
    // without the eviction margin this stream evicts on nearly every token (> 1000 times)
    assertTrue(v.evictions() < 10, "thrashing: " + v.evictions() + " evictions");
  }

  @Test
  void reservedSlotsAreNeverEvicted() {
    StreamingVocabulary v = new StreamingVocabulary(3, 1, 50, 4);
    List<Integer> slots = new ArrayList<>();
    v.setListener((slot, reused) -> slots.add(slot));
    for (int i = 0; i < 2000; i++) {
      v.observe("w" + (i / 100) % 7); // each word has its turn as the frequent one
    }
    assertTrue(v.evictions() > 10, "churn expected, got " + v.evictions());
    assertTrue(slots.stream().allMatch(s -> s == 2), slots::toString);
    assertEquals(StreamingVocabulary.UNK_WORD, v.word(UNK));
    assertEquals(Tokenizer.EOS, v.word(EOS));
    assertEquals(UNK, v.id(StreamingVocabulary.UNK_WORD));
    assertEquals(EOS, v.id(Tokenizer.EOS));
    assertEquals(EOS, v.observe(Tokenizer.EOS));
  }

  @Test
  void candidateTableStaysBoundedAndStillFindsAFrequentWord() {
    StreamingVocabulary v = new StreamingVocabulary(100, 5, 1e6, 50);
    int hotId = UNK;
    for (int i = 0; i < 30_000; i++) {
      v.observe("rare" + i);
      if (i % 3 == 0) {
        hotId = v.observe("hot");
      }
      assertTrue(v.candidates() <= 50);
    }
    assertEquals(50, v.candidates());
    assertEquals(3, v.size(), "only the frequent word gets in");
    assertEquals("hot", v.word(hotId));
  }

  @Test
  void unknownAndNullWordsCountAsUnk() {
    StreamingVocabulary v = new StreamingVocabulary(10, 5, NO_DECAY, 10);
    assertEquals(UNK, v.observe(null));
    assertEquals(UNK, v.observe("rare"));
    assertEquals(UNK, v.id(null));
    assertEquals(2.0, v.count(UNK));
    assertEquals(2.0, v.totalCount());
    assertEquals(2, v.tokensObserved());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.word(2));
    assertTrue(e.getMessage().contains("outside"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> v.count(-1));
  }

  @Test
  void rejectsBadArgumentsWithClearMessages() {
    assertMessage(() -> new StreamingVocabulary(2, 1, 10, 10), "capacity");
    assertMessage(() -> new StreamingVocabulary(10, 0, 10, 10), "minCount");
    assertMessage(() -> new StreamingVocabulary(10, 1, 0.5, 10), "halfLifeTokens");
    assertMessage(() -> new StreamingVocabulary(10, 1, Double.NaN, 10), "halfLifeTokens");
    assertMessage(() -> new StreamingVocabulary(10, 1, 10, 0), "candidateCapacity");
  }

  private static void assertMessage(Runnable r, String mentions) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(mentions), e.getMessage());
  }

  @Test
  void inVocabularyObserveAllocatesNothing() {
    java.lang.management.ThreadMXBean bean =
        java.lang.management.ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    StreamingVocabulary v = new StreamingVocabulary(1000, 1, 1e4, 100);
    String[] words = new String[500];
    for (int i = 0; i < words.length; i++) {
      words[i] = "w" + i;
      v.observe(words[i]);
    }
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < 200_000; i++) {
      v.observe(words[(i * 31) % words.length]);
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    assertTrue(allocated < 20_000, "allocated " + allocated + " bytes for 200k observations");
  }
}
