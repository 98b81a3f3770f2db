package io.streamvec.trainer;

import io.streamvec.model.text.TextFileInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
  private final TextFileInput input;

  public TextSource(Path file, int maxChars) throws IOException {
    this(Files.newInputStream(file), maxChars);
  }

  public TextSource(InputStream raw, int maxChars) throws IOException {
    this.maxChars = maxChars;
    this.input = new TextFileInput(raw);
    this.reader =
        new InputStreamReader(
            input,
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE));
  }

  /** Compressed bytes read so far (for progress against the file size). */
  public long bytesRead() {
    return input.bytesRead();
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
}
