package io.streamvec.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

class Word2VecFormatTest {

  /**
   * Gaussian values plus floats at the edges of what a decimal round trip must get right (exported
   * as E itself).
   */
  private static ModelSnapshot snapshotWithHardFloats() {
    ModelSnapshot r = TestSnapshots.random(200, 9, ModelConfig.Encoder.LBL, 3);
    ModelSnapshot s = TestSnapshots.withConfig(r, r.config.with("export-vectors", "input"));
    float[] e = s.embeddings().data;
    float[] hard = {
      -0.0f,
      Float.MIN_VALUE,
      Float.MIN_NORMAL,
      Float.MAX_VALUE,
      -Float.MAX_VALUE,
      1e-38f,
      3.4028235e38f,
      0.1f,
      1f / 3,
      Math.nextUp(1f),
      16777217f,
      1.17549421e-38f
    };
    System.arraycopy(hard, 0, e, 0, hard.length);
    Random rnd = new Random(5);
    for (int i = hard.length; i < 400; i++)
      e[i] = Float.intBitsToFloat(rnd.nextInt() & 0x7f7fffff); // random finite bit patterns
    return s;
  }

  @Test
  void textReReadEqualsTheModelBitForBit() throws IOException {
    ModelSnapshot s = snapshotWithHardFloats();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Word2VecFormat.writeText(s, out);
    assertEquals(
        s.size() + " 9",
        new String(out.toByteArray(), StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
    assertSameVectors(s, Word2VecFormat.readText(new ByteArrayInputStream(out.toByteArray())));
  }

  @Test
  void binaryReReadEqualsTheModelBitForBit() throws IOException {
    ModelSnapshot s = snapshotWithHardFloats();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Word2VecFormat.writeBinary(s, out);
    assertSameVectors(s, Word2VecFormat.readBinary(new ByteArrayInputStream(out.toByteArray())));
  }

  @Test
  void binaryLayoutIsWord2vecC() throws IOException {
    FMatrixRMaj e = new FMatrixRMaj(new float[][] {{1.5f, -2f}, {0.25f, 8f}});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Word2VecFormat.writeBinary(new String[] {"</s>", "é"}, e, out);
    ByteBuffer expected =
        ByteBuffer.allocate(4 + 5 + 8 + 1 + 3 + 8 + 1).order(ByteOrder.LITTLE_ENDIAN);
    expected
        .put("2 2\n</s> ".getBytes(StandardCharsets.US_ASCII))
        .putFloat(1.5f)
        .putFloat(-2f)
        .put((byte) '\n');
    expected
        .put("é ".getBytes(StandardCharsets.UTF_8))
        .putFloat(0.25f)
        .putFloat(8f)
        .put((byte) '\n');
    assertArrayEquals(expected.array(), out.toByteArray());
  }

  @Test
  void whitespaceInWordsBecomesUnderscore() throws IOException {
    FMatrixRMaj e = new FMatrixRMaj(new float[][] {{1f}, {2f}, {3f}});
    String[] words = {"new york", "tab\there", ""};
    for (boolean binary : new boolean[] {false, true}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (binary) Word2VecFormat.writeBinary(words, e, out);
      else Word2VecFormat.writeText(words, e, out);
      ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
      Word2VecFormat.Vectors back =
          binary ? Word2VecFormat.readBinary(in) : Word2VecFormat.readText(in);
      assertArrayEquals(new String[] {"new_york", "tab_here", "_"}, back.words());
      assertArrayEquals(e.data, back.vectors().data);
    }
  }

  @Test
  void damagedFilesGiveClearErrorsNotHugeAllocations() {
    assertError("100000000 1\nw 1\n", true, "ends after 1");
    assertError("100000000 1\nw 1\n", false, "cut off");
    assertError("2 x\n", false, "bad header");
    assertError("2000000000 1000\n", true, "bad header");
    assertError("", true, "empty file");
    assertError("1 2\nw 1 two\n", true, "not a number");
    assertError("1 2\nw 1\n", true, "has 1 numbers, expected 2");
  }

  private static void assertError(String content, boolean text, String expected) {
    ByteArrayInputStream in = new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
    IOException ex =
        assertThrows(
            IOException.class,
            () -> {
              if (text) Word2VecFormat.readText(in);
              else Word2VecFormat.readBinary(in);
            });
    assertTrue(
        ex.getMessage().contains(expected),
        "'" + ex.getMessage() + "' should contain '" + expected + "'");
  }

  @Test
  void theSnapshotWritersExportTheConfiguredWordVectors() throws IOException {
    ModelSnapshot r = TestSnapshots.random(50, 4, ModelConfig.Encoder.LBL, 8);
    for (String mode : new String[] {"input", "output", "sum", "concat"}) {
      ModelSnapshot s = TestSnapshots.withConfig(r, r.config.with("export-vectors", mode));
      for (boolean binary : new boolean[] {false, true}) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (binary) Word2VecFormat.writeBinary(s, out);
        else Word2VecFormat.writeText(s, out);
        String header =
            new String(out.toByteArray(), 0, 8, StandardCharsets.US_ASCII)
                .lines()
                .findFirst()
                .orElseThrow();
        assertEquals("50 " + (mode.equals("concat") ? 8 : 4), header, mode);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertSameVectors(s, binary ? Word2VecFormat.readBinary(in) : Word2VecFormat.readText(in));
      }
    }
    // the sum export is E + W row by row (checked here against the raw matrices, not wordVectors())
    ModelSnapshot sum = TestSnapshots.withConfig(r, r.config.with("export-vectors", "sum"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Word2VecFormat.writeText(sum, out);
    Word2VecFormat.Vectors back =
        Word2VecFormat.readText(new ByteArrayInputStream(out.toByteArray()));
    for (int i = 0; i < 50; i++) {
      for (int j = 0; j < 4; j++)
        assertEquals(
            r.embeddings().get(i, j) + r.outputWeights().get(i, j),
            back.vectors().get(i, j),
            0f,
            "row " + i);
    }
  }

  /** The file holds exactly the snapshot's word vectors (export-vectors), bit for bit. */
  private static void assertSameVectors(ModelSnapshot s, Word2VecFormat.Vectors back) {
    assertEquals(s.size(), back.words().length);
    for (int i = 0; i < s.size(); i++) assertEquals(s.word(i), back.words()[i]);
    FMatrixRMaj expected = s.wordVectors();
    int n = expected.getNumElements();
    assertEquals(expected.numCols, back.vectors().numCols);
    assertEquals(n, back.vectors().getNumElements());
    for (int i = 0; i < n; i++) {
      if (Float.floatToRawIntBits(expected.data[i])
          != Float.floatToRawIntBits(back.vectors().data[i])) {
        throw new AssertionError(
            "float " + i + ": wrote " + expected.data[i] + ", read " + back.vectors().data[i]);
      }
    }
  }
}
