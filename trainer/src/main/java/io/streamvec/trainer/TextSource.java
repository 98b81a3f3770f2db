package io.streamvec.trainer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads a text file (plain or gzip, detected by its magic bytes) as records: one per line, with
 * lines longer than maxChars split at the last whitespace before the limit, so a 50 MB line neither
 * exhausts memory nor loses text. Invalid UTF-8 becomes U+FFFD instead of an error.
 */
public final class TextSource implements AutoCloseable {
  private final Reader reader;
  private final char[] buf = new char[1 << 16];
  private int pos, end;
  private final StringBuilder line = new StringBuilder();
  private final int maxChars;
  private final CountingStream counting;

  public TextSource(Path file, int maxChars) throws IOException {
    this(Files.newInputStream(file), maxChars);
  }

  public TextSource(InputStream raw, int maxChars) throws IOException {
    this.maxChars = maxChars;
    this.counting = new CountingStream(new BufferedInputStream(raw, 1 << 16));
    InputStream in = counting;
    in.mark(2);
    int b1 = in.read(), b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) in = new GZIPInputStream(in, 1 << 16);
    this.reader =
        new InputStreamReader(
            in,
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE));
  }

  /** Compressed bytes read so far (for progress against the file size). */
  public long bytesRead() {
    return counting.count;
  }

  /** The next record, or null at the end. */
  public String next() throws IOException {
    while (true) {
      if (line.length() >= maxChars) return cutAtWhitespace();
      if (pos == end) {
        end = reader.read(buf, 0, buf.length);
        pos = 0;
        if (end <= 0) {
          end = 0;
          if (line.length() == 0) return null;
          return take(line.length());
        }
      }
      int start = pos;
      int limit = Math.min(end, pos + (maxChars - line.length()));
      while (pos < limit && buf[pos] != '\n') pos++;
      line.append(buf, start, pos - start);
      if (pos < end && buf[pos] == '\n') {
        pos++;
        return take(line.length());
      }
    }
  }

  private String take(int n) {
    String s = line.substring(0, n);
    line.delete(0, n);
    return s;
  }

  /**
   * Over-long line: emit up to the last whitespace before the limit; the rest starts the next
   * record.
   */
  private String cutAtWhitespace() {
    int cut = maxChars;
    while (cut > maxChars / 2 && !Character.isWhitespace(line.charAt(cut - 1))) cut--;
    return take(cut > maxChars / 2 ? cut : maxChars);
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  private static final class CountingStream extends java.io.FilterInputStream {
    long count, markCount;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) count += n;
      return n;
    }

    @Override
    public synchronized void mark(int limit) {
      super.mark(limit);
      markCount = count;
    }

    @Override
    public synchronized void reset() throws IOException {
      super.reset();
      count = markCount;
    }
  }
}
