package io.streamvec.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotChunksTest {

  @Test
  void chunksRespectTheLimitAndConcatenateToTheSnapshot() throws InvalidSnapshotException {
    byte[] encoded =
        SnapshotCodec.encode(TestSnapshots.random(3000, 100, ModelConfig.Encoder.LBL, 1));
    assertTrue(
        encoded.length > 2 * SnapshotChunks.DEFAULT_MAX_CHUNK_BYTES,
        "a snapshot that needs 3+ chunks: " + encoded.length);
    List<byte[]> chunks = SnapshotChunks.split(42, encoded);
    assertEquals((encoded.length + 899_963) / 899_964, chunks.size());
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < chunks.size(); i++) {
      byte[] value = chunks.get(i);
      assertTrue(value.length <= SnapshotChunks.DEFAULT_MAX_CHUNK_BYTES);
      SnapshotChunks.Chunk c = SnapshotChunks.parse(value);
      assertEquals(42, c.snapshotVersion());
      assertEquals(i, c.index());
      assertEquals(chunks.size(), c.count());
      assertEquals(encoded.length, c.totalLength());
      joined.writeBytes(c.payload());
    }
    assertArrayEquals(encoded, joined.toByteArray());
  }

  @Test
  void headerFollowsTheDocumentedLayout() {
    byte[] encoded = new byte[100];
    for (int i = 0; i < encoded.length; i++) encoded[i] = (byte) i;
    List<byte[]> chunks =
        SnapshotChunks.split(7, encoded, 76); // 40 payload bytes per chunk: 40, 40, 20
    assertEquals(3, chunks.size());
    ByteBuffer last = ByteBuffer.wrap(chunks.get(2));
    assertEquals(
        "SVCH", new String(chunks.get(2), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(1, last.getInt(4));
    assertEquals(7L, last.getLong(8));
    assertEquals(2, last.getInt(16));
    assertEquals(3, last.getInt(20));
    assertEquals(100, last.getInt(24));
    assertEquals((int) SnapshotCodec.crc32c(encoded, 0, 100), last.getInt(28));
    assertEquals(32 + 20 + 4, chunks.get(2).length);
    assertEquals(80, chunks.get(2)[32], "payload of chunk 2 starts at snapshot byte 80");
    assertEquals((int) SnapshotCodec.crc32c(chunks.get(2), 0, 52), last.getInt(52));
    assertEquals("default/3", SnapshotChunks.chunkKey("default", 3));
  }

  @Test
  void badChunksAreRejectedWithAReason() {
    byte[] good = SnapshotChunks.split(1, new byte[500], 100).get(0);
    byte[] flipped = good.clone();
    flipped[40] ^= 1;
    assertReason(flipped, "checksum mismatch");
    byte[] magic = good.clone();
    magic[1] = 'X';
    assertReason(magic, "bad magic");
    byte[] newer = good.clone();
    ByteBuffer.wrap(newer).putInt(4, 2);
    assertReason(
        newer, "header version 2 is newer than this reader supports (1); upgrade streamvec");
    assertReason(java.util.Arrays.copyOf(good, 20), "truncated at byte 20");
    assertReason(null, "null");
    byte[] inconsistent = good.clone();
    ByteBuffer.wrap(inconsistent).putInt(16, 9); // index 9 of 8 chunks, checksum fixed up
    ByteBuffer.wrap(inconsistent)
        .putInt(
            inconsistent.length - 4,
            (int) SnapshotCodec.crc32c(inconsistent, 0, inconsistent.length - 4));
    assertReason(inconsistent, "inconsistent: index 9 of 8");
    assertThrows(IllegalArgumentException.class, () -> SnapshotChunks.split(1, new byte[0], 100));
    assertThrows(IllegalArgumentException.class, () -> SnapshotChunks.split(1, new byte[10], 40));
  }

  private static void assertReason(byte[] value, String expected) {
    InvalidSnapshotException e =
        assertThrows(InvalidSnapshotException.class, () -> SnapshotChunks.parse(value));
    assertTrue(
        e.getMessage().contains(expected),
        "'" + e.getMessage() + "' should contain '" + expected + "'");
  }
}
