package io.streamvec.model.io;

import io.streamvec.model.ModelSnapshot;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ejml.data.FMatrixRMaj;

/**
 * Word vectors (V, n) in the two formats of the original word2vec tool, which gensim ({@code
 * KeyedVectors.load_word2vec_format(path, binary=...)}) and fastText load:
 *
 * <ul>
 *   <li>text: a line "V d", then per word "word f1 ... fd"; floats are printed with {@link
 *       Float#toString}, the shortest decimal that parses back to the same float, so a re-read is
 *       bit-identical;
 *   <li>binary: the line "V d\n", then per word its UTF-8 bytes, a space, d float32 little-endian,
 *       and '\n' (as word2vec.c writes it).
 * </ul>
 *
 * Words never contain whitespace (the tokenizer splits on it); if one did, each whitespace or
 * control character is written as '_' so the file stays parseable. All text is UTF-8.
 */
public final class Word2VecFormat {
  /** Words and their vectors as read back; vectors (V, d), row i belongs to words[i]. */
  public record Vectors(String[] words, FMatrixRMaj vectors) {}

  private Word2VecFormat() {}

  /**
   * The snapshot's {@link ModelSnapshot#wordVectors() word vectors} (config export-vectors), as
   * text.
   */
  public static void writeText(ModelSnapshot s, OutputStream out) throws IOException {
    writeText(words(s), s.wordVectors(), out);
  }

  /**
   * The snapshot's {@link ModelSnapshot#wordVectors() word vectors} (config export-vectors), as
   * binary.
   */
  public static void writeBinary(ModelSnapshot s, OutputStream out) throws IOException {
    writeBinary(words(s), s.wordVectors(), out);
  }

  public static void writeText(String[] words, FMatrixRMaj e, OutputStream out) throws IOException {
    checkShapes(words, e);
    int d = e.numCols;
    Writer w =
        new OutputStreamWriter(new BufferedOutputStream(out, 1 << 16), StandardCharsets.UTF_8);
    w.write(words.length + " " + d + "\n");
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < words.length; i++) {
      line.setLength(0);
      line.append(safeWord(words[i]));
      for (int j = 0; j < d; j++) line.append(' ').append(e.data[i * d + j]);
      w.append(line).append('\n');
    }
    w.flush();
  }

  public static void writeBinary(String[] words, FMatrixRMaj e, OutputStream out)
      throws IOException {
    checkShapes(words, e);
    int d = e.numCols;
    OutputStream o = new BufferedOutputStream(out, 1 << 16);
    o.write((words.length + " " + d + "\n").getBytes(StandardCharsets.US_ASCII));
    ByteBuffer row = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < words.length; i++) {
      o.write(safeWord(words[i]).getBytes(StandardCharsets.UTF_8));
      o.write(' ');
      row.clear();
      row.asFloatBuffer().put(e.data, i * d, d);
      o.write(row.array(), 0, 4 * d);
      o.write('\n');
    }
    o.flush();
  }

  public static Vectors readText(InputStream in) throws IOException {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    int[] header = parseHeader(r.readLine());
    int v = header[0], d = header[1];
    Rows rows = new Rows(v, d);
    for (int i = 0; i < v; i++) {
      String line = r.readLine();
      if (line == null)
        throw new EOFException(
            "word2vec text: the header promises " + v + " words, the file ends after " + i);
      String[] parts = line.strip().split("[ \t]+");
      if (parts.length != d + 1)
        throw new IOException(
            "word2vec text: line "
                + (i + 2)
                + " has "
                + (parts.length - 1)
                + " numbers, expected "
                + d);
      float[] vec = new float[d];
      try {
        for (int j = 0; j < d; j++) vec[j] = Float.parseFloat(parts[j + 1]);
      } catch (NumberFormatException ex) {
        throw new IOException(
            "word2vec text: line "
                + (i + 2)
                + " has a value that is not a number: "
                + ex.getMessage());
      }
      rows.add(parts[0], vec);
    }
    return rows.toVectors();
  }

  public static Vectors readBinary(InputStream in) throws IOException {
    InputStream b = new BufferedInputStream(in, 1 << 16);
    int[] header = parseHeader(readUntil(b, '\n', "header"));
    int v = header[0], d = header[1];
    Rows rows = new Rows(v, d);
    byte[] raw = new byte[4 * d];
    for (int i = 0; i < v; i++) {
      String word =
          readUntil(b, ' ', "word " + i).replace("\n", ""); // the '\n' after the previous vector
      if (b.readNBytes(raw, 0, raw.length) != raw.length)
        throw new EOFException("word2vec binary: the vector of word " + i + " is cut off");
      float[] vec = new float[d];
      ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vec);
      rows.add(word, vec);
    }
    return rows.toVectors();
  }

  /** Grows with the rows actually read, so a lying header cannot force a huge allocation. */
  private static final class Rows {
    final List<String> words = new ArrayList<>();
    float[] data;
    final int d;

    Rows(int v, int d) {
      this.d = d;
      this.data = new float[(int) Math.min((long) v * d, 1 << 20)];
    }

    void add(String word, float[] vec) {
      int at = words.size() * d;
      if (at + d > data.length)
        data =
            Arrays.copyOf(
                data, (int) Math.min(Integer.MAX_VALUE - 8L, Math.max(2L * data.length, at + d)));
      System.arraycopy(vec, 0, data, at, d);
      words.add(word);
    }

    Vectors toVectors() {
      FMatrixRMaj m = new FMatrixRMaj(words.size(), d);
      System.arraycopy(data, 0, m.data, 0, words.size() * d);
      return new Vectors(words.toArray(new String[0]), m);
    }
  }

  private static int[] parseHeader(String line) throws IOException {
    if (line == null) throw new EOFException("word2vec: empty file (no \"V d\" header)");
    String[] p = line.strip().split("[ \t]+");
    try {
      if (p.length != 2) throw new NumberFormatException();
      int v = Integer.parseInt(p[0]), d = Integer.parseInt(p[1]);
      if (v < 0 || d < 1 || (long) v * d > Integer.MAX_VALUE - 8) throw new NumberFormatException();
      return new int[] {v, d};
    } catch (NumberFormatException e) {
      throw new IOException(
          "word2vec: bad header \""
              + (line.length() > 80 ? line.substring(0, 80) + "..." : line)
              + "\", expected \"V d\"");
    }
  }

  /**
   * Bytes up to (not including) stop, as UTF-8; words are short, so a cap guards against garbage.
   */
  private static String readUntil(InputStream in, char stop, String what) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(32);
    for (int c = in.read(); c != stop; c = in.read()) {
      if (c < 0) throw new EOFException("word2vec binary: file ends inside " + what);
      if (buf.size() > 1 << 20)
        throw new IOException(
            "word2vec binary: " + what + " is longer than 1 MiB; not a word2vec binary file?");
      buf.write(c);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static String[] words(ModelSnapshot s) {
    String[] w = new String[s.size()];
    for (int i = 0; i < w.length; i++) w[i] = s.word(i);
    return w;
  }

  private static void checkShapes(String[] words, FMatrixRMaj e) {
    if (words.length != e.numRows)
      throw new IllegalArgumentException(
          words.length + " words but " + e.numRows + " embedding rows");
  }

  /**
   * Whitespace and control characters (and an empty word) would break the line format: replace them
   * with '_'.
   */
  static String safeWord(String w) {
    if (w == null || w.isEmpty()) return "_";
    StringBuilder b = null;
    for (int i = 0; i < w.length(); i++) {
      char c = w.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
        if (b == null) b = new StringBuilder(w);
        b.setCharAt(i, '_');
      }
    }
    return b == null ? w : b.toString();
  }
}
