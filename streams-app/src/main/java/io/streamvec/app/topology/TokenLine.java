package io.streamvec.app.topology;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One token line as the validator made it ({@link RecordValidator}): the tokens of a record, or of
 * a bounded run of them, in order. Between validation and training in one task it travels as the
 * tokens themselves, so the trainer learns the validator's strings instead of splitting a joined
 * line into new ones. Wherever it is stored or sent (the repartition topic, the replay log, a dead
 * letter) it is the tokens joined by single spaces, UTF-8: the bytes {@code Serdes.String()} gives
 * the joined line. Tokens never hold a space and are never empty, so {@link #parse} of that text
 * gives the same tokens back, which is what the replay learns.
 *
 * <p>The array is shared, not copied: nothing changes it after the validator made it.
 */
public final class TokenLine {
  private static final String[] NONE = {};

  /** On the repartition topic: the joined line's UTF-8, as {@code Serdes.String()} has it. */
  public static final Serde<TokenLine> SERDE =
      Serdes.serdeFrom(
          (Serializer<TokenLine>) (topic, line) -> line == null ? null : line.utf8(),
          (Deserializer<TokenLine>)
              (topic, bytes) ->
                  bytes == null ? null : parse(new String(bytes, StandardCharsets.UTF_8)));

  private final String[] tokens;

  TokenLine(String[] tokens) {
    this.tokens = tokens;
  }

  /** The tokens of a stored or sent line: split at its spaces; "" has none. */
  public static TokenLine parse(String text) {
    return new TokenLine(text.isEmpty() ? NONE : text.split(" "));
  }

  /** The tokens, in order (shared: not to be changed). */
  String[] tokens() {
    return tokens;
  }

  public int size() {
    return tokens.length;
  }

  /** The tokens joined by single spaces. */
  public String text() {
    return String.join(" ", tokens);
  }

  /** {@link #text()} in UTF-8. */
  byte[] utf8() {
    byte[] out = new byte[maxUtf8Length()];
    int n = writeUtf8(out, 0, new char[maxTokenChars()]);
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /** At least the bytes {@link #writeUtf8} writes: 3 per char (a surrogate pair takes 4 of 6). */
  int maxUtf8Length() {
    int chars = Math.max(0, tokens.length - 1); // the spaces
    for (String t : tokens) chars += t.length();
    return 3 * chars;
  }

  /** Chars of the longest token: what {@link #writeUtf8} needs as scratch. */
  int maxTokenChars() {
    int max = 0;
    for (String t : tokens) max = Math.max(max, t.length());
    return max;
  }

  /**
   * Writes {@link #text()} in UTF-8 into out from off, as {@code text().getBytes(UTF_8)} would (a
   * lone surrogate becomes '?'), and returns where it ended: the replay log takes a line this way
   * without a copy. Each token's chars are copied into scratch first (at least {@link
   * #maxTokenChars()} long): reading a char array is cheaper than {@link String#charAt} per char.
   */
  int writeUtf8(byte[] out, int off, char[] scratch) {
    int p = off;
    for (int k = 0; k < tokens.length; k++) {
      if (k > 0) out[p++] = ' ';
      String t = tokens[k];
      int len = t.length();
      t.getChars(0, len, scratch, 0);
      int i = 0;
      while (i < len && scratch[i] < 0x80) out[p++] = (byte) scratch[i++];
      for (; i < len; i++) {
        char c = scratch[i];
        if (c < 0x80) out[p++] = (byte) c;
        else if (c < 0x800) {
          out[p++] = (byte) (0xC0 | c >> 6);
          out[p++] = (byte) (0x80 | c & 0x3F);
        } else if (Character.isHighSurrogate(c)
            && i + 1 < len
            && Character.isLowSurrogate(scratch[i + 1])) {
          int cp = Character.toCodePoint(c, scratch[++i]);
          out[p++] = (byte) (0xF0 | cp >> 18);
          out[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
          out[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
          out[p++] = (byte) (0x80 | cp & 0x3F);
        } else if (Character.isSurrogate(c)) out[p++] = '?';
        else {
          out[p++] = (byte) (0xE0 | c >> 12);
          out[p++] = (byte) (0x80 | c >> 6 & 0x3F);
          out[p++] = (byte) (0x80 | c & 0x3F);
        }
      }
    }
    return p;
  }

  @Override
  public String toString() {
    return text();
  }
}
