package io.streamvec.model.vocab;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Field codecs for the vocabulary format; reads validate so corrupt bytes fail with a clear
 * message.
 */
final class DataIO {
  private DataIO() {}

  /**
   * Writes a string as its UTF-16 length and chars. Not writeUTF: that caps strings at 64 KB and
   * would mangle lone surrogates, while a token can be long and must round-trip exactly.
   */
  static void writeString(DataOutput out, String s) throws IOException {
    out.writeInt(s.length());
    out.writeChars(s);
  }

  static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("corrupt vocabulary: negative string length " + n);
    }
    // Grow as chars arrive, so a corrupt huge length hits end-of-input instead of a huge
    // allocation.
    StringBuilder s = new StringBuilder(Math.min(n, 256));
    for (int i = 0; i < n; i++) {
      s.append(in.readChar());
    }
    return s.toString();
  }

  /** Reads a scaled count: finite and non-negative. */
  static double readCount(DataInput in) throws IOException {
    double v = in.readDouble();
    if (!(v >= 0.0) || Double.isInfinite(v)) {
      throw new IOException(
          "corrupt vocabulary: count " + v + " is not a finite non-negative number");
    }
    return v;
  }
}
