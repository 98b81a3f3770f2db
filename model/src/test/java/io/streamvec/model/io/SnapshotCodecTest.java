package io.streamvec.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.nn.ContextEncoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SnapshotCodecTest {

  @ParameterizedTest
  @EnumSource(ModelConfig.Encoder.class)
  void roundTripIsBitIdenticalForEveryEncoder(ModelConfig.Encoder encoder) throws IOException {
    ModelSnapshot s = TestSnapshots.random(40, 7, encoder, 11);
    // floats whose bits a careless codec would lose
    s.embeddings().data[0] = -0.0f;
    s.embeddings().data[1] = Float.NaN;
    s.embeddings().data[2] = Float.MIN_VALUE;
    s.embeddings().data[3] = Float.NEGATIVE_INFINITY;
    ModelSnapshot back = SnapshotCodec.decode(SnapshotCodec.encode(s));
    assertSame(s, back);
  }

  @Test
  void encodingIsDeterministicAndStreamsCarrySeveralSnapshots() throws IOException {
    ModelSnapshot a = TestSnapshots.random(30, 5, ModelConfig.Encoder.LBL, 1);
    ModelSnapshot b = TestSnapshots.random(20, 4, ModelConfig.Encoder.BENGIO, 2);
    assertArrayEquals(SnapshotCodec.encode(a), SnapshotCodec.encode(a));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SnapshotCodec.write(a, out);
    SnapshotCodec.write(b, out);
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertSame(a, SnapshotCodec.read(in));
    assertSame(b, SnapshotCodec.read(in));
    assertEquals(0, in.available());
  }

  @Test
  void headerFollowsTheDocumentedLayout() {
    byte[] bytes = SnapshotCodec.encode(TestSnapshots.random(10, 3, ModelConfig.Encoder.LBL, 3));
    ByteBuffer b = ByteBuffer.wrap(bytes);
    assertEquals("SVSN", new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(2, b.getInt(4));
    assertEquals(bytes.length, b.getInt(8));
    assertEquals(
        (int) SnapshotCodec.crc32c(bytes, 0, bytes.length - 4), b.getInt(bytes.length - 4));
    // one per model key, but batch at its default 1 (ModelConfig.storedMap)
    assertEquals(ModelConfig.KEYS.size() - 1, b.getInt(12), "config entries: one per model key");
  }

  /** Version 1 had no mixture section: its bytes are version 2's without the (empty) section. */
  @Test
  void version1SnapshotsAreStillRead() throws IOException {
    ModelSnapshot s = TestSnapshots.random(10, 3, ModelConfig.Encoder.LBL, 5);
    byte[] v2 = SnapshotCodec.encode(s);
    byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 4);
    // drop the int32 0 (empty mixture) before the checksum, then fix version, length and CRC
    ByteBuffer b = ByteBuffer.wrap(v1);
    assertEquals(0, ByteBuffer.wrap(v2).getInt(v2.length - 8));
    b.putInt(4, 1).putInt(8, v1.length);
    b.putInt(v1.length - 4, (int) SnapshotCodec.crc32c(v1, 0, v1.length - 4));
    ModelSnapshot back = SnapshotCodec.decode(v1);
    assertSame(s, back);
    assertEquals(null, back.mixture());
  }

  @Test
  void rejectsBadMagicNewerVersionAndTrailingBytes() {
    byte[] good = SnapshotCodec.encode(TestSnapshots.random(10, 3, ModelConfig.Encoder.LBL, 4));
    byte[] badMagic = good.clone();
    badMagic[0] = 'X';
    assertMessage(badMagic, "bad magic");
    byte[] newer = good.clone();
    ByteBuffer.wrap(newer).putInt(4, 7);
    assertMessage(
        newer,
        "snapshot format version 7 is newer than this reader supports (2); upgrade streamvec");
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 3);
    assertMessage(longer, "3 trailing bytes");
    assertMessage(new byte[0], "truncated at byte 0");
  }

  @Test
  void everyTruncationIsRejectedWithItsPosition() {
    byte[] good = SnapshotCodec.encode(TestSnapshots.random(12, 3, ModelConfig.Encoder.CBOW, 5));
    for (int n = 0; n < good.length; n++) {
      byte[] cut = java.util.Arrays.copyOf(good, n);
      InvalidSnapshotException e =
          assertThrows(
              InvalidSnapshotException.class, () -> SnapshotCodec.decode(cut), "prefix " + n);
      assertTrue(e.getMessage().contains("truncated at byte " + n), e.getMessage());
    }
  }

  @Test
  void everySingleByteCorruptionIsRejected() {
    byte[] good = SnapshotCodec.encode(TestSnapshots.random(12, 3, ModelConfig.Encoder.BENGIO, 6));
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= (byte) (1 << (i % 8));
      assertThrows(
          InvalidSnapshotException.class, () -> SnapshotCodec.decode(bad), "flipped byte " + i);
    }
    byte[] body = good.clone();
    body[good.length / 2] ^= 0x10;
    assertMessage(body, "checksum mismatch");
  }

  /**
   * Corrupt bytes behind a *valid* checksum (a buggy or hostile writer): rejected cleanly, never an
   * OOM or another exception.
   */
  @Test
  void garbageWithAValidChecksumIsRejectedCleanly() {
    Random rnd = new Random(Long.getLong("fuzz.seed", 7));
    ModelSnapshot snapshot = TestSnapshots.random(12, 3, ModelConfig.Encoder.BENGIO, 7);
    byte[] good = SnapshotCodec.encode(snapshot);
    int rejected = 0;
    for (int trial = 0; trial < 3000; trial++) {
      byte[] bad = good.clone();
      int flips = 1 + rnd.nextInt(4);
      for (int f = 0; f < flips; f++)
        bad[12 + rnd.nextInt(bad.length - 16)] = (byte) rnd.nextInt(256);
      ByteBuffer.wrap(bad)
          .putInt(bad.length - 4, (int) SnapshotCodec.crc32c(bad, 0, bad.length - 4));
      try {
        SnapshotCodec.decode(bad);
      } catch (InvalidSnapshotException e) {
        rejected++;
      } catch (RuntimeException | Error e) {
        fail("trial " + trial + ": " + e, e);
      }
    }
    assertTrue(rejected > 100, "most structural damage is detected, got " + rejected);
    // a length field that promises 2^31 floats must not allocate them
    byte[] huge = good.clone();
    int vAt = offsetOfV(snapshot);
    assertEquals(12, ByteBuffer.wrap(huge).getInt(vAt));
    ByteBuffer.wrap(huge).putInt(vAt, Integer.MAX_VALUE);
    ByteBuffer.wrap(huge)
        .putInt(huge.length - 4, (int) SnapshotCodec.crc32c(huge, 0, huge.length - 4));
    assertMessage(huge, "truncated");
  }

  @Test
  void inconsistentShapesAreNamed() {
    ModelConfig c = TestSnapshots.config(ModelConfig.Encoder.LBL, 3, 2, 5);
    ModelConfig wider =
        TestSnapshots.config(ModelConfig.Encoder.LBL, 3, 4, 5); // P = 4 instead of 2
    String[] words = {"<unk>", "</s>", "a"};
    FMatrixRMaj e = new FMatrixRMaj(3, 3), w = new FMatrixRMaj(3, 3), b = new FMatrixRMaj(3, 1);
    ModelSnapshot wrong =
        TestSnapshots.of(c, words, e, w, b, ContextEncoder.create(wider).parameters());
    assertMessage(
        SnapshotCodec.encode(wrong), "inconsistent shapes: position is 4x3, expected 2x3");
  }

  /**
   * The codec spells out the encoder shapes of format 1; they must stay those the encoders have.
   */
  @ParameterizedTest
  @EnumSource(ModelConfig.Encoder.class)
  void documentedEncoderShapesMatchTheEncoders(ModelConfig.Encoder encoder)
      throws InvalidSnapshotException {
    ModelConfig c = TestSnapshots.config(encoder, 6, 3, 9);
    ContextEncoder enc = ContextEncoder.create(c);
    SnapshotCodec.checkEncoder(c, enc.parameterNames(), enc.parameters());
  }

  /** Byte offset of the V field, from the documented layout. */
  private static int offsetOfV(ModelSnapshot s) {
    int at = 12 + 4;
    for (var e : s.config.storedMap().entrySet())
      at += 8 + utf8Length(e.getKey()) + utf8Length(e.getValue());
    at += 8 + 8 + 4;
    for (String name : s.stats().keySet()) at += 4 + utf8Length(name) + 8;
    return at;
  }

  private static int utf8Length(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  static void assertMessage(byte[] bytes, String expected) {
    InvalidSnapshotException e =
        assertThrows(InvalidSnapshotException.class, () -> SnapshotCodec.decode(bytes));
    assertTrue(
        e.getMessage().contains(expected),
        "message '" + e.getMessage() + "' should contain '" + expected + "'");
  }

  static void assertSame(ModelSnapshot expected, ModelSnapshot actual) {
    assertTrue(expected.sameModelAs(actual), "same model content");
    assertEquals(expected.version, actual.version);
    assertEquals(expected.stats(), actual.stats());
    assertEquals(
        expected.stats().keySet().stream().toList(),
        actual.stats().keySet().stream().toList(),
        "stats order");
    for (int i = 0; i < expected.size(); i++) assertEquals(expected.word(i), actual.word(i));
    assertEquals(expected.id("😀"), actual.id("😀"));
  }
}
