package io.streamvec.model.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.InvalidSnapshotException;
import io.streamvec.model.io.TestSnapshots;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The history topic's record format: round trips, chunks, and what it refuses. */
class CompactSnapshotFormatTest {
  // words with multi-byte UTF-8 among them (TestSnapshots' special words)
  static final ModelSnapshot SNAPSHOT = TestSnapshots.random(300, 16, ModelConfig.Encoder.LBL, 7);
  static final CompactSnapshot COMPACT = CompactSnapshot.of(SNAPSHOT, 1_764_000_000_123L, 120);

  @Test
  void aDecodedSnapshotIsTheSameSnapshot() throws Exception {
    CompactSnapshot back = CompactSnapshotFormat.decode(CompactSnapshotFormat.encode(COMPACT));
    assertEquals(SNAPSHOT.version, back.version);
    assertEquals(SNAPSHOT.tokens, back.tokens);
    assertEquals(1_764_000_000_123L, back.timeMs);
    assertEquals(120, back.size());
    for (int r = 0; r < back.size(); r++) {
      String word = back.word(r);
      // independent of the codec: the words and counts of the full snapshot
      assertEquals(SNAPSHOT.count(SNAPSHOT.id(word)), back.count(r), word);
      assertEquals(r, back.row(word));
      assertEquals(1.0, back.cosine(r, COMPACT, r), 1e-6, word);
      for (int s = 0; s < back.size(); s++)
        assertEquals(COMPACT.cosine(r, COMPACT, s), back.cosine(r, back, s), 0.0);
    }
    assertEquals(COMPACT.neighbours(3, 10), back.neighbours(3, 10));
    assertArrayEquals(CompactSnapshotFormat.encode(COMPACT), CompactSnapshotFormat.encode(back));
    boolean multiByte = false;
    for (int r = 0; r < back.size(); r++)
      multiByte |= back.word(r).chars().anyMatch(ch -> ch > 127);
    assertTrue(multiByte, "a word of multi-byte UTF-8 is among those kept");
  }

  @Test
  void anUnknownFormatVersionIsRefusedWithWhatToDo() {
    byte[] bytes = CompactSnapshotFormat.encode(COMPACT);
    ByteBuffer.wrap(bytes).putInt(4, CompactSnapshotFormat.VERSION + 1);
    InvalidSnapshotException e =
        assertThrows(InvalidSnapshotException.class, () -> CompactSnapshotFormat.decode(bytes));
    assertTrue(e.getMessage().contains("newer than this reader supports"), e.getMessage());
    ByteBuffer.wrap(bytes).putInt(4, 0);
    assertThrows(InvalidSnapshotException.class, () -> CompactSnapshotFormat.decode(bytes));
  }

  @Test
  void badMagicTruncationAndTrailingBytesAreRefused() {
    byte[] bytes = CompactSnapshotFormat.encode(COMPACT);
    byte[] magic = bytes.clone();
    magic[0] = 'X';
    assertTrue(message(magic).contains("bad magic"), message(magic));
    byte[] cut = Arrays.copyOf(bytes, bytes.length - 5);
    assertTrue(message(cut).contains("truncated"), message(cut));
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertTrue(message(longer).contains("after its last word"), message(longer));
  }

  @Test
  void chunksOfTwoModelsInterleavedComeBackWhole() throws Exception {
    CompactSnapshot other =
        CompactSnapshot.of(TestSnapshots.random(80, 8, ModelConfig.Encoder.LBL, 9), 5, 50);
    List<byte[]> a = CompactSnapshotFormat.chunks(COMPACT, 700);
    List<byte[]> b = CompactSnapshotFormat.chunks(other, 700);
    assertTrue(a.size() > 3 && b.size() > 1, a.size() + " and " + b.size() + " chunks");
    CompactSnapshotAssembler assembler = new CompactSnapshotAssembler();
    // a log whose retention cut the first chunk of model a's version: never completes
    for (int i = 1; i < a.size(); i++) assertNull(assembler.accept("a", a.get(i), i));
    CompactSnapshotAssembler.Completed doneA = null, doneB = null;
    long position = 100;
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      if (i < a.size()) {
        CompactSnapshotAssembler.Completed c = assembler.accept("a", a.get(i), position++);
        if (i < a.size() - 1) assertNull(c);
        else doneA = c;
      }
      if (i < b.size()) {
        CompactSnapshotAssembler.Completed c = assembler.accept("b", b.get(i), position++);
        if (i < b.size() - 1) assertNull(c);
        else doneB = c;
      }
    }
    assertEquals(100, doneA.position());
    assertEquals(101, doneB.position());
    assertArrayEquals(
        CompactSnapshotFormat.encode(COMPACT), CompactSnapshotFormat.encode(doneA.snapshot()));
    assertArrayEquals(
        CompactSnapshotFormat.encode(other), CompactSnapshotFormat.encode(doneB.snapshot()));
  }

  private static String message(byte[] bytes) {
    return assertThrows(InvalidSnapshotException.class, () -> CompactSnapshotFormat.decode(bytes))
        .getMessage();
  }
}
