package io.streamvec.app.topology;

import io.streamvec.model.text.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides what an input record value is: usable text (returned as token lines) or a dead letter
 * with a reason from {@link DeadLetter}. Checks, in order: null, empty, size, NUL bytes (binary),
 * strict UTF-8, control characters (binary), and finally whether any word token is left.
 *
 * <p>A token line is the record's tokens in order (tokens never contain spaces, so the line joined
 * by single spaces splits back into them: the form topics and the replay log hold). Lines are cut
 * at {@link #MAX_LINE_CHARS} on token boundaries and tokens at {@link #MAX_TOKEN_CHARS}, so every
 * line fits a Kafka record (repartition topic, replay-log changelog) whatever the input; learning
 * the lines one after the other is learning the tokens in order. Text longer than the tokenizer's
 * max-line-chars is tokenized piece by piece (cut at whitespace) instead of being truncated, so no
 * text is silently lost.
 *
 * <p>Not thread-safe (reuses a decoder, tokenizer and buffers): one per stream task.
 */
public final class RecordValidator {
  /** Longest token line: at most 2 UTF-8 bytes per char on average here, so under 400 kB. */
  public static final int MAX_LINE_CHARS = 200_000;

  /**
   * Longer "words" (base64 blobs, runs of letters) are cut: they would only bloat the vocabulary.
   */
  public static final int MAX_TOKEN_CHARS = 1_000;

  /** More control characters than this share of all characters makes text binary. */
  static final double MAX_CONTROL_RATIO = 0.1;

  private static final String[] NO_TOKENS = {};

  /**
   * Accepted (reason == null, tokenLines non-empty) or refused (reason and detail set). A token
   * line is an array of tokens; the app hands it to the trainer as it is.
   */
  public record Verdict(String reason, String detail, List<String[]> tokenLines) {
    public boolean accepted() {
      return reason == null;
    }

    /** The token lines, each joined by single spaces (the text the replay log keeps). */
    public List<String> lines() {
      List<String> out = new ArrayList<>(tokenLines.size());
      for (String[] tokens : tokenLines) out.add(String.join(" ", tokens));
      return out;
    }

    static Verdict refuse(String reason, String detail) {
      return new Verdict(reason, detail, List.of());
    }
  }

  private final int maxRecordBytes;
  private final int maxTokenizerChars;
  private final Tokenizer tokenizer;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final List<String> tokens = new ArrayList<>();
  private final List<String> line = new ArrayList<>(); // the tokens of the line being filled
  private CharBuffer chars = CharBuffer.allocate(4096);
  private int errorOffset; // byte offset of the last malformed sequence

  public RecordValidator(int maxRecordBytes, int maxTokenizerChars) {
    this.maxRecordBytes = maxRecordBytes;
    this.maxTokenizerChars = maxTokenizerChars;
    this.tokenizer = new Tokenizer(maxTokenizerChars);
  }

  public Verdict check(byte[] value) {
    if (value == null) return Verdict.refuse(DeadLetter.NULL_VALUE, "record value is null");
    if (value.length == 0)
      return Verdict.refuse(DeadLetter.EMPTY, "record value is empty (0 bytes)");
    if (value.length > maxRecordBytes) {
      return Verdict.refuse(
          DeadLetter.TOO_LARGE, value.length + " bytes > max.record.bytes " + maxRecordBytes);
    }
    for (int i = 0; i < value.length; i++) {
      if (value[i] == 0)
        return Verdict.refuse(DeadLetter.BINARY, "NUL byte at offset " + i + " of " + value.length);
    }
    String text = decode(value);
    if (text == null)
      return Verdict.refuse(
          DeadLetter.INVALID_UTF8,
          "malformed UTF-8 at byte " + errorOffset + " of " + value.length);
    int control = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)
          && c != '\t'
          && c != '\n'
          && c != '\r'
          && c != '\f'
          && c != '\u000B') control++;
    }
    if (control > MAX_CONTROL_RATIO * text.length()) {
      return Verdict.refuse(
          DeadLetter.BINARY,
          String.format(
              Locale.ROOT, "%d of %d characters are control characters", control, text.length()));
    }
    List<String[]> lines = tokenLines(text);
    if (lines.isEmpty())
      return Verdict.refuse(
          DeadLetter.NO_TOKENS, "no word or number in " + text.length() + " characters");
    return new Verdict(null, null, lines);
  }

  /** Strict UTF-8 decoding; null (and errorOffset set) on the first malformed sequence. */
  private String decode(byte[] value) {
    if (chars.capacity() < value.length)
      chars = CharBuffer.allocate(Math.max(value.length, 2 * chars.capacity()));
    chars.clear();
    ByteBuffer in = ByteBuffer.wrap(value);
    decoder.reset();
    CoderResult r = decoder.decode(in, chars, true);
    if (!r.isError()) r = decoder.flush(chars);
    if (r.isError()) {
      errorOffset = in.position();
      return null;
    }
    chars.flip();
    return chars.toString();
  }

  /**
   * Tokens of text, in order, cut into lines of at most MAX_LINE_CHARS chars once joined by single
   * spaces.
   */
  List<String[]> tokenLines(String text) {
    List<String[]> lines = new ArrayList<>(1);
    line.clear();
    int joined = 0; // chars of the line joined by spaces
    for (int start = 0, n = text.length(); start < n; ) {
      int end = n - start <= maxTokenizerChars ? n : cut(text, start);
      tokenizer.tokenize(text.substring(start, end), tokens);
      for (String t : tokens) {
        String token = t.length() <= MAX_TOKEN_CHARS ? t : truncate(t);
        if (!line.isEmpty() && joined + 1 + token.length() > MAX_LINE_CHARS) {
          lines.add(line.toArray(NO_TOKENS));
          line.clear();
        }
        joined = line.isEmpty() ? token.length() : joined + 1 + token.length();
        line.add(token);
      }
      start = end;
    }
    if (!line.isEmpty()) lines.add(line.toArray(NO_TOKENS));
    return lines;
  }

  /**
   * End of the piece starting at start: the last whitespace before the limit, else the limit (never
   * inside a surrogate pair).
   */
  private int cut(String text, int start) {
    int limit = start + maxTokenizerChars;
    for (int i = limit; i > start; i--)
      if (Character.isWhitespace(text.charAt(i)) || Character.isSpaceChar(text.charAt(i))) return i;
    return Character.isHighSurrogate(text.charAt(limit - 1)) && limit - 1 > start
        ? limit - 1
        : limit;
  }

  private static String truncate(String token) {
    int n =
        Character.isHighSurrogate(token.charAt(MAX_TOKEN_CHARS - 1))
            ? MAX_TOKEN_CHARS - 1
            : MAX_TOKEN_CHARS;
    return token.substring(0, n);
  }
}
