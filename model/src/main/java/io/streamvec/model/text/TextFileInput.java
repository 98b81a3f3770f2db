package io.streamvec.model.text;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * The bytes of a text file, plain or gzip (detected by its magic bytes, not its name), and how many
 * bytes of the file itself were consumed so far (the compressed bytes for gzip), for progress
 * against the file's size. What the trainer and the producer read their input through.
 */
public final class TextFileInput extends FilterInputStream {
  private static final int BUFFER = 1 << 16;
  private final CountingStream counting;

  public TextFileInput(InputStream raw) throws IOException {
    super(null);
    counting = new CountingStream(new BufferedInputStream(raw, BUFFER));
    counting.mark(2);
    int b1 = counting.read();
    int b2 = counting.read();
    counting.reset();
    in = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(counting, BUFFER) : counting;
  }

  /** Bytes consumed from the underlying stream so far. */
  public long bytesRead() {
    return counting.count;
  }

  /** Counts the bytes actually consumed from its source (mark/reset aware). */
  private static final class CountingStream extends FilterInputStream {
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
