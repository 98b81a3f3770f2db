package io.streamvec.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The wire encodings against references written apart: float16 bits pinned from numpy's {@code
 * astype(np.float16)}, bfloat16 bits from an exact rational nearest-even search in Python; every
 * binary16 value and every midpoint between neighbours; int8's error bound.
 */
class RowEncodingTest {
  // {float32, numpy float16 bits, bfloat16 bits (exact nearest, ties to even)}
  static final Object[][] PINNED = {
    {0.0f, 0x0000, 0x0000},
    {-0.0f, 0x8000, 0x8000},
    {1.0f, 0x3c00, 0x3f80},
    {-1.0f, 0xbc00, 0xbf80},
    {0.10000000149011612f, 0x2e66, 0x3dcd},
    {-0.3370000123977661f, 0xb564, 0xbead},
    {65504.0f, 0x7bff, 0x4780},
    {65519.0f, 0x7bff, 0x4780},
    {65520.0f, 0x7c00, 0x4780},
    {9.999999747378752e-06f, 0x00a8, 0x3728},
    {-3.099999958067201e-06f, 0x8034, 0xb650},
    {5.960000137861243e-08f, 0x0001, 0x3380},
    {2.9800000689306216e-08f, 0x0000, 0x3300},
    {2.9802322387695312e-08f, 0x0000, 0x3300},
    {1.00048828125f, 0x3c00, 0x3f80},
    {1.00146484375f, 0x3c02, 0x3f80},
    {3.1415927410125732f, 0x4248, 0x4049},
    {-0.0024999999441206455f, 0x991f, 0xbb24},
    {0.3333333432674408f, 0x3555, 0x3eab},
    {6.103515625e-05f, 0x0400, 0x3880},
    {6.097555160522461e-05f, 0x03ff, 0x3880},
    {10000000000.0f, 0x7c00, 0x5015},
    {0.00039999998989515007f, 0x0e8e, 0x39d2},
    {123.45600128173828f, 0x57b7, 0x42f7},
  };

  @Test
  void float16AndBfloat16MatchPinnedReferenceBits() {
    for (Object[] p : PINNED) {
      float x = (Float) p[0];
      assertEquals((int) p[1], RowEncoding.toFloat16(x) & 0xffff, "float16 of " + x);
      assertEquals((int) p[2], RowEncoding.toBfloat16(x) & 0xffff, "bfloat16 of " + x);
    }
  }

  @Test
  void everyFloat16RoundTripsAndMidpointsRoundToEven() {
    for (int h = 0; h < 0x7c00; h++) { // every finite non-negative half
      float x = RowEncoding.fromFloat16((short) h);
      assertEquals(h, RowEncoding.toFloat16(x) & 0xffff, "round trip of half " + h);
      assertEquals(h | 0x8000, RowEncoding.toFloat16(-x) & 0xffff, "round trip of half -" + h);
      if (h == 0x7bff) continue; // 65504: above it is infinity (the pinned 65519, 65520)
      float next = RowEncoding.fromFloat16((short) (h + 1));
      double mid = ((double) x + next) / 2; // exact in float: halves have 11 significant bits
      int even = (h & 1) == 0 ? h : h + 1;
      assertEquals(even, RowEncoding.toFloat16((float) mid) & 0xffff, "midpoint above " + h);
      assertEquals(h, RowEncoding.toFloat16(Math.nextDown((float) mid)) & 0xffff);
      assertEquals(h + 1, RowEncoding.toFloat16(Math.nextUp((float) mid)) & 0xffff);
    }
    assertTrue(Float.isInfinite(RowEncoding.fromFloat16((short) 0x7c00)));
    assertTrue(Float.isNaN(RowEncoding.fromFloat16(RowEncoding.toFloat16(Float.NaN))));
    assertTrue(Float.isNaN(RowEncoding.fromBfloat16(RowEncoding.toBfloat16(Float.NaN))));
  }

  @Test
  void writeThenReadGivesTheRoundTripForEveryEncoding() throws Exception {
    SplittableRandom rnd = new SplittableRandom(7);
    int n = 9, c = 13;
    float[] rows = new float[n * c + 5];
    for (int i = 0; i < rows.length; i++) rows[i] = (float) (rnd.nextGaussian() * 0.3);
    for (int i = 0; i < c; i++) rows[5 + 2 * c + i] = 0; // an all-zero row: int8 scale 0
    for (RowEncoding enc : RowEncoding.values()) {
      ByteBuffer out = ByteBuffer.allocate((int) enc.bytes(n, c));
      enc.write(out, rows, 5, n, c);
      assertEquals(0, out.remaining(), enc + " writes exactly bytes(n, c)");
      float[] read = new float[n * c];
      enc.read(new ByteCursor(out.array(), 0, out.capacity(), "test"), read, n, c, "rows");
      float[] expected = java.util.Arrays.copyOfRange(rows, 5, 5 + n * c);
      enc.roundTrip(expected, 0, n, c);
      for (int i = 0; i < n * c; i++)
        assertEquals(
            Float.floatToIntBits(expected[i]), Float.floatToIntBits(read[i]), enc + " at " + i);
      for (int r = 0; r < n; r++) {
        float max = 0;
        for (int i = 0; i < c; i++) max = Math.max(max, Math.abs(rows[5 + r * c + i]));
        for (int i = 0; i < c; i++) {
          float x = rows[5 + r * c + i], y = read[r * c + i];
          double bound =
              switch (enc) {
                case FLOAT32 -> 0;
                case FLOAT16 -> Math.abs(x) * 0x1p-11 + 0x1p-25;
                case BFLOAT16 -> Math.abs(x) * 0x1p-8;
                case INT8 -> max / 127.0 / 2 * (1 + 1e-6);
              };
          assertTrue(Math.abs(x - y) <= bound, enc + " row " + r + ": " + x + " -> " + y);
        }
      }
    }
  }

  @Test
  void namesAndIdsAreClosed() {
    assertEquals(RowEncoding.INT8, RowEncoding.fromConfigName("int8"));
    assertThrows(IllegalArgumentException.class, () -> RowEncoding.fromConfigName("fp8"));
    assertThrows(InvalidSnapshotException.class, () -> RowEncoding.fromId(9));
  }
}
