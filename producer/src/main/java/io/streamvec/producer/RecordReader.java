package io.streamvec.producer;

import io.streamvec.model.text.TextFileInput;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Cuts a byte stream (plain, or gzip detected by its magic bytes) into record values, as raw bytes:
 * no decoding, so what the file holds is what the topic gets (invalid UTF-8 included: the app
 * dead-letters it with a reason, which beats silently replacing it here).
 *
 * <ul>
 *   <li>LINE: one record per line without its '\n' ('\r' stays); empty lines are skipped. This is
 *       exactly what {@code kcat -P} sends for the same file.
 *   <li>PARAGRAPH: lines up to a blank line (empty or only spaces, tabs, '\r'), joined by their
 *       '\n'; blank lines themselves are not sent.
 *   <li>DOCUMENT: the whole stream as one record.
 * </ul>
 *
 * A record longer than maxBytes (the app would dead-letter it as too large) is cut into several:
 * after the last '\n' (paragraph, document), else after the last space or tab, else at a UTF-8
 * character boundary, in the second half of the limit. No byte is lost: the pieces of a cut record,
 * concatenated, are the record.
 */
final class RecordReader implements AutoCloseable {
  enum Mode {
    LINE,
    PARAGRAPH,
    DOCUMENT;

    static Mode parse(String s) {
      for (Mode m : values()) if (m.name().equalsIgnoreCase(s)) return m;
      return null;
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Mode mode;
  private final int maxBytes;
  private final TextFileInput in;
  private final byte[] chunk = new byte[1 << 16];
  private int pos, end;
  private boolean eof;
  private byte[] buf; // the record being built: bytes [0, n)
  private int n;
  private int lineStart; // where the current line begins in buf (paragraph mode)

  RecordReader(InputStream raw, Mode mode, int maxBytes) throws IOException {
    if (maxBytes < 16)
      throw new IllegalArgumentException("maxBytes must be at least 16, got " + maxBytes);
    this.mode = mode;
    this.maxBytes = maxBytes;
    this.in = new TextFileInput(raw);
    this.buf = new byte[Math.min(maxBytes + 1, 1 << 12)];
  }

  /**
   * Bytes read from the underlying stream so far (compressed bytes for gzip), for progress against
   * a file size.
   */
  long bytesRead() {
    return in.bytesRead();
  }

  /** The next record value, or null at the end of the stream. */
  byte[] next() throws IOException {
    while (true) {
      if (n > maxBytes) return cut();
      int b = read();
      if (b < 0) {
        if (mode == Mode.PARAGRAPH && blank(lineStart, n))
          n = Math.max(0, lineStart - 1); // trailing blank line + its '\n'
        return n > 0 ? take(n) : null;
      }
      if (b != '\n') {
        append(b);
        continue;
      }
      switch (mode) {
        case LINE -> {
          if (n > 0) return take(n);
        }
        case DOCUMENT -> append(b);
        case PARAGRAPH -> {
          if (!blank(lineStart, n)) {
            append(b);
            lineStart = n;
            continue;
          }
          // the paragraph is buf up to the '\n' before this blank line; the blank line is dropped
          int len = Math.max(0, lineStart - 1);
          byte[] record = len > 0 ? Arrays.copyOf(buf, len) : null;
          n = 0;
          lineStart = 0;
          if (record != null) return record;
        }
      }
    }
  }

  private boolean blank(int from, int to) {
    for (int i = from; i < to; i++)
      if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r') return false;
    return true;
  }

  /** The first part of an over-long record, cut at the best place within maxBytes. */
  private byte[] cut() {
    int at = -1, half = maxBytes / 2;
    if (mode != Mode.LINE)
      for (int i = maxBytes; i > half && at < 0; i--) if (buf[i - 1] == '\n') at = i;
    for (int i = maxBytes; i > half && at < 0; i--)
      if (buf[i - 1] == ' ' || buf[i - 1] == '\t') at = i;
    if (at < 0) {
      at = maxBytes;
      // never split a UTF-8 sequence: back up over continuation bytes (10xxxxxx) to a lead byte
      while (at > half && (buf[at] & 0xC0) == 0x80) at--;
    }
    return take(at);
  }

  /** Returns buf[0, len) and keeps the rest for the next record. */
  private byte[] take(int len) {
    byte[] record = Arrays.copyOf(buf, len);
    int rest = n - len;
    System.arraycopy(buf, len, buf, 0, rest);
    n = rest;
    lineStart = Math.max(0, lineStart - len);
    return record;
  }

  private void append(int b) {
    if (n == buf.length) buf = Arrays.copyOf(buf, Math.max(n + 1, Math.min(2 * n, maxBytes + 1)));
    buf[n++] = (byte) b;
  }

  private int read() throws IOException {
    if (pos == end) {
      if (eof) return -1;
      end = in.read(chunk, 0, chunk.length);
      pos = 0;
      if (end <= 0) {
        end = 0;
        eof = true;
        return -1;
      }
    }
    return chunk[pos++] & 0xFF;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
