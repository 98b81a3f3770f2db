package io.streamvec.model.vocab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.text.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Same stream, same vocabulary: across runs, across write/read, across internal rescaling. */
class VocabularyDeterminismTest {

  /** A Zipf-like stream over ~2000 word types with sentence ends, as fresh String objects. */
  private static String[] stream(long seed, int n) {
    Random random = new Random(seed);
    String[] words = new String[n];
    for (int i = 0; i < n; i++) {
      int rank = (int) Math.floor(Math.exp(random.nextDouble() * Math.log(2000)));
      words[i] = rank == 1 ? Tokenizer.EOS : new String("w" + rank);
    }
    return words;
  }

  private static StreamingVocabulary churning() {
    return new StreamingVocabulary(60, 3, 400, 150);
  }

  private static int[] observeAll(StreamingVocabulary v, String[] words, int from, int to) {
    int[] ids = new int[to - from];
    for (int i = from; i < to; i++) {
      ids[i - from] = v.observe(words[i]);
    }
    return ids;
  }

  private static byte[] bytes(StreamingVocabulary v) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    v.write(new DataOutputStream(out));
    return out.toByteArray();
  }

  private static StreamingVocabulary fromBytes(byte[] b) throws IOException {
    return StreamingVocabulary.read(new DataInputStream(new ByteArrayInputStream(b)));
  }

  /** Asserts two vocabularies have identical observable state, doubles compared exactly. */
  private static void assertSameState(StreamingVocabulary a, StreamingVocabulary b) {
    assertEquals(a.size(), b.size());
    assertEquals(a.admissions(), b.admissions());
    assertEquals(a.evictions(), b.evictions());
    assertEquals(a.tokensObserved(), b.tokensObserved());
    assertEquals(a.candidates(), b.candidates());
    assertEquals(
        Double.doubleToRawLongBits(a.totalCount()), Double.doubleToRawLongBits(b.totalCount()));
    for (int id = 0; id < a.size(); id++) {
      assertEquals(a.word(id), b.word(id), "word in slot " + id);
      assertEquals(
          Double.doubleToRawLongBits(a.count(id)),
          Double.doubleToRawLongBits(b.count(id)),
          "count in slot " + id);
    }
  }

  @Test
  void twoRunsOfTheSameStreamAgree() {
    StreamingVocabulary a = churning();
    StreamingVocabulary b = churning();
    int[] idsA = observeAll(a, stream(3, 40_000), 0, 40_000);
    int[] idsB = observeAll(b, stream(3, 40_000), 0, 40_000);
    assertArrayEquals(idsA, idsB);
    assertSameState(a, b);
    assertTrue(
        a.evictions() > 200, "stream should churn the vocabulary, evictions=" + a.evictions());
  }

  @Test
  void writeReadMidStreamThenContinueIsBitIdentical() throws IOException {
    String[] words = stream(11, 40_000);
    StreamingVocabulary uninterrupted = churning();
    StreamingVocabulary first = churning();
    int[] expected = observeAll(uninterrupted, words, 0, words.length);
    observeAll(first, words, 0, 17_000);
    byte[] saved = bytes(first);
    StreamingVocabulary restored = fromBytes(saved);
    assertArrayEquals(
        saved, bytes(restored), "re-serialising a restored vocabulary gives the same bytes");
    int[] rest = observeAll(restored, words, 17_000, words.length);
    assertArrayEquals(Arrays.copyOfRange(expected, 17_000, words.length), rest);
    assertSameState(uninterrupted, restored);
    assertArrayEquals(bytes(uninterrupted), bytes(restored));
  }

  @Test
  void rescalingKeepsDeterminism() throws IOException {
    // Half-life 2 tokens: the internal scale doubles every 2 tokens and is renormalised every
    // ~1024.
    String[] words = stream(5, 6000);
    StreamingVocabulary v = new StreamingVocabulary(40, 1, 2, 50);
    observeAll(v, words, 0, 2500);
    StreamingVocabulary restored = fromBytes(bytes(v));
    int[] a = observeAll(v, words, 2500, words.length);
    int[] b = observeAll(restored, words, 2500, words.length);
    assertArrayEquals(a, b);
    assertSameState(v, restored);
  }

  @Test
  void decayedCountsMatchTheDirectSumAcrossRescaling() {
    // Room for every word and minCount 1: each count is exact from the first occurrence on. Without
    // renormalisation the scale would overflow after ~2000 tokens at this half-life.
    double halfLife = 2.5;
    String[] words = stream(9, 6000);
    StreamingVocabulary v = new StreamingVocabulary(2100, 1, halfLife, 10);
    observeAll(v, words, 0, words.length);
    Map<String, Double> direct = new HashMap<>();
    double total = 0;
    for (int t = 0; t < words.length; t++) {
      double weight = Math.pow(2, -(words.length - 1 - t) / halfLife);
      direct.merge(words[t], weight, Double::sum);
      total += weight;
    }
    assertEquals(direct.size() + 1, v.size(), "all types plus <unk>");
    for (int id = 1; id < v.size(); id++) {
      double expected = direct.get(v.word(id));
      assertEquals(expected, v.count(id), 1e-9 * Math.max(expected, 1e-6), v.word(id));
    }
    assertEquals(0.0, v.count(StreamingVocabulary.UNK));
    assertEquals(total, v.totalCount(), 1e-9 * total);
  }

  @Test
  void rejectsWrongMagicAndUnknownVersion() throws IOException {
    byte[] good = bytes(churning());
    byte[] magic = good.clone();
    magic[0] ^= 0x55;
    IOException e = assertThrows(IOException.class, () -> fromBytes(magic));
    assertTrue(e.getMessage().contains("not a streamvec vocabulary"), e.getMessage());
    byte[] version = good.clone();
    ByteBuffer.wrap(version).putInt(4, 99);
    e = assertThrows(IOException.class, () -> fromBytes(version));
    assertTrue(e.getMessage().contains("unsupported vocabulary format version 99"), e.getMessage());
  }

  @Test
  void rejectsEveryTruncation() throws IOException {
    StreamingVocabulary v = churning();
    observeAll(v, stream(2, 3000), 0, 3000);
    byte[] good = bytes(v);
    assertSameState(v, fromBytes(good));
    for (int n = 0; n < good.length; n++) {
      byte[] cut = Arrays.copyOf(good, n);
      IOException e =
          assertThrows(IOException.class, () -> fromBytes(cut), "prefix of " + n + " bytes");
      assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
    }
  }

  @Test
  void rejectsCorruptFields() throws IOException {
    byte[] good = bytes(churning());
    byte[] capacity = good.clone();
    ByteBuffer.wrap(capacity).putInt(8, 1); // capacity below the 2 reserved slots + 1
    IOException e = assertThrows(IOException.class, () -> fromBytes(capacity));
    assertTrue(e.getMessage().contains("capacity"), e.getMessage());
    byte[] nanScale = good.clone();
    ByteBuffer.wrap(nanScale)
        .putDouble(28, Double.NaN); // scale follows 2 ints, config (3 ints + 1 double)
    assertThrows(IOException.class, () -> fromBytes(nanScale));
  }
}
