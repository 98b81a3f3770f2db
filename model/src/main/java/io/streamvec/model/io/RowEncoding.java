package io.streamvec.model.io;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * How the E and W rows of a snapshot row block travel on the wire. Readers always get float32 back;
 * only the precision on the wire differs. Shapes: n rows of width c floats each.
 *
 * <ul>
 *   <li>{@code float32}: 4 bytes per float, exact.
 *   <li>{@code float16}: IEEE 754 binary16, round to nearest even: 2 bytes, relative error at most
 *       2^-11 within [6.1e-5, 65504] (embeddings live far inside that range).
 *   <li>{@code bfloat16}: the upper half of the float32 bits, round to nearest even: 2 bytes,
 *       float32's range, relative error at most 2^-8.
 *   <li>{@code int8}: per row a float32 scale s = max|x| / 127 and bytes q = round(x / s): 1 byte
 *       per float + 4 per row, absolute error at most s / 2 in each row.
 * </ul>
 *
 * Rounding is integer arithmetic on the float bits (no platform-dependent maths), so every JVM
 * writes the same bytes for the same floats.
 */
public enum RowEncoding {
  FLOAT32(0),
  FLOAT16(1),
  BFLOAT16(2),
  INT8(3);

  /** The number in a row block's header. */
  public final int id;

  RowEncoding(int id) {
    this.id = id;
  }

  /** The config name: float32, float16, bfloat16, int8. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RowEncoding fromConfigName(String name) {
    for (RowEncoding e : values()) if (e.configName().equals(name)) return e;
    throw new IllegalArgumentException(
        "unknown snapshot encoding '" + name + "' (float32, float16, bfloat16 or int8)");
  }

  public static RowEncoding fromId(int id) throws InvalidSnapshotException {
    for (RowEncoding e : values()) if (e.id == id) return e;
    throw new InvalidSnapshotException("unknown row encoding " + id + " in a snapshot row block");
  }

  /** Bytes of n rows of width c. */
  public long bytes(int n, int c) {
    return switch (this) {
      case FLOAT32 -> 4L * n * c;
      case FLOAT16, BFLOAT16 -> 2L * n * c;
      case INT8 -> (long) n * (4 + c);
    };
  }

  /** Writes rows [0, n) of width c, which start at data[from]. */
  public void write(ByteBuffer out, float[] data, int from, int n, int c) {
    switch (this) {
      case FLOAT32 -> {
        out.asFloatBuffer().put(data, from, n * c);
        out.position(out.position() + 4 * n * c);
      }
      case FLOAT16 -> {
        for (int i = from; i < from + n * c; i++) out.putShort(toFloat16(data[i]));
      }
      case BFLOAT16 -> {
        for (int i = from; i < from + n * c; i++) out.putShort(toBfloat16(data[i]));
      }
      case INT8 -> {
        for (int r = 0; r < n; r++) {
          int row = from + r * c;
          float scale = int8Scale(data, row, c);
          out.putFloat(scale);
          for (int i = row; i < row + c; i++) out.put(toInt8(data[i], scale));
        }
      }
    }
  }

  /** Reads n rows of width c into dst[0, n c). */
  public void read(ByteCursor in, float[] dst, int n, int c, String what)
      throws InvalidSnapshotException {
    if (this == FLOAT32) {
      in.readFloats(dst, n * c, what);
      return;
    }
    ByteBuffer b = in.slice(bytes(n, c), what);
    switch (this) {
      case FLOAT16 -> {
        for (int i = 0; i < n * c; i++) dst[i] = fromFloat16(b.getShort());
      }
      case BFLOAT16 -> {
        for (int i = 0; i < n * c; i++) dst[i] = fromBfloat16(b.getShort());
      }
      case INT8 -> {
        for (int r = 0; r < n; r++) {
          float scale = b.getFloat();
          for (int i = r * c; i < (r + 1) * c; i++) dst[i] = b.get() * scale;
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  /** data[from, from + n c) as a reader of this encoding gets it back, in place. */
  public void roundTrip(float[] data, int from, int n, int c) {
    switch (this) {
      case FLOAT32 -> {}
      case FLOAT16 -> {
        for (int i = from; i < from + n * c; i++) data[i] = fromFloat16(toFloat16(data[i]));
      }
      case BFLOAT16 -> {
        for (int i = from; i < from + n * c; i++) data[i] = fromBfloat16(toBfloat16(data[i]));
      }
      case INT8 -> {
        for (int r = 0; r < n; r++) {
          int row = from + r * c;
          float scale = int8Scale(data, row, c);
          for (int i = row; i < row + c; i++) data[i] = toInt8(data[i], scale) * scale;
        }
      }
    }
  }

  static float int8Scale(float[] data, int from, int c) {
    float max = 0;
    for (int i = from; i < from + c; i++) max = Math.max(max, Math.abs(data[i]));
    return max / 127f;
  }

  static byte toInt8(float x, float scale) {
    if (scale == 0 || Float.isNaN(x)) return 0;
    return (byte) Math.max(-127, Math.min(127, Math.round(x / scale)));
  }

  /** IEEE 754 binary16 bits of f, rounded to nearest, ties to even; overflow gives infinity. */
  static short toFloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs > 0x7f800000) return (short) (sign | 0x7e00 | (abs >>> 13) & 0x3ff); // NaN stays NaN
    if (abs >= 0x477ff000) return (short) (sign | 0x7c00); // >= 65520 rounds to infinity
    if (abs >= 0x38800000) { // a normal half: the exponent moves from bias 127 to bias 15
      int rounded = abs + 0xfff + ((abs >>> 13) & 1);
      return (short) (sign | (rounded - 0x38000000) >>> 13);
    }
    if (abs < 0x33000000) return (short) sign; // below half the smallest subnormal: zero
    int shift = 126 - (abs >>> 23); // a subnormal half: m 2^-24 with m < 1024
    int m = (abs & 0x7fffff) | 0x800000;
    int half = m >>> shift;
    int rest = m & ((1 << shift) - 1);
    int tie = 1 << (shift - 1);
    if (rest > tie || (rest == tie && (half & 1) != 0)) half++;
    return (short) (sign | half);
  }

  static float fromFloat16(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | mant << 13);
    if (exp == 0) {
      float m = mant * 0x1p-24f; // exact: mant < 2^10
      return sign == 0 ? m : -m;
    }
    return Float.intBitsToFloat(sign | (exp + 112) << 23 | mant << 13);
  }

  /** The upper 16 bits of f, rounded to nearest, ties to even. */
  static short toBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) return (short) (bits >>> 16 | 0x40); // quiet NaN
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  static float fromBfloat16(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }
}
