package io.streamvec.trainer;

import io.streamvec.model.text.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The records of a {@link TextSource} as token lists, in file order. With threads = 1 the caller's
 * thread reads and tokenizes (today's path). With threads = N >= 2, reading (gunzip, UTF-8) runs on
 * its own thread and tokenizing on N-1 worker threads, batches of records flowing through a bounded
 * queue, so the caller's thread only learns. The order of tokens is the same either way, so
 * training is bit-identical for every N.
 */
abstract class TokenizedRecords implements AutoCloseable {

  /** The tokens of the next record (valid until the next call), or null at the end. */
  abstract List<String> next() throws IOException;

  /** Compressed bytes read so far. */
  abstract long bytesRead();

  @Override
  public abstract void close() throws IOException;

  static TokenizedRecords open(TextSource src, int maxLineChars, int threads) {
    return threads <= 1
        ? new Serial(src, new Tokenizer(maxLineChars))
        : new Pipelined(src, maxLineChars, threads - 1);
  }

  private static final class Serial extends TokenizedRecords {
    private final TextSource src;
    private final Tokenizer tokenizer;
    private final List<String> tokens = new ArrayList<>();

    Serial(TextSource src, Tokenizer tokenizer) {
      this.src = src;
      this.tokenizer = tokenizer;
    }

    @Override
    List<String> next() throws IOException {
      String line = src.next();
      if (line == null) return null;
      tokenizer.tokenize(line, tokens);
      return tokens;
    }

    @Override
    long bytesRead() {
      return src.bytesRead();
    }

    @Override
    public void close() throws IOException {
      src.close();
    }
  }

  private static final class Pipelined extends TokenizedRecords {
    private static final int BATCH_RECORDS = 256;
    private static final List<List<String>> END = new ArrayList<>(0); // identity marks the end
    private final TextSource src;
    private final ExecutorService tokenizers;
    private final ThreadLocal<Tokenizer> tokenizer;
    // batches in file order; each completes when a worker has tokenized it
    private final BlockingQueue<CompletableFuture<List<List<String>>>> queue;
    private final Thread reader;
    private volatile boolean closed;
    private volatile long bytes;
    private List<List<String>> batch = new ArrayList<>(0);
    private int index;
    private boolean ended;

    Pipelined(TextSource src, int maxLineChars, int workers) {
      this.src = src;
      this.tokenizer = ThreadLocal.withInitial(() -> new Tokenizer(maxLineChars));
      this.tokenizers =
          Executors.newFixedThreadPool(workers, r -> daemon(r, "streamvec-tokenizer"));
      this.queue = new ArrayBlockingQueue<>(4 * workers + 4);
      this.reader = daemon(this::readAll, "streamvec-reader");
      reader.start();
    }

    private static Thread daemon(Runnable r, String name) {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    }

    private void readAll() {
      try {
        while (!closed) {
          List<String> lines = new ArrayList<>(BATCH_RECORDS);
          String line;
          while (lines.size() < BATCH_RECORDS && (line = src.next()) != null) lines.add(line);
          bytes = src.bytesRead();
          if (lines.isEmpty()) break;
          queue.put(CompletableFuture.supplyAsync(() -> tokenize(lines), tokenizers));
        }
        queue.put(CompletableFuture.completedFuture(END));
      } catch (IOException e) {
        offerQuietly(CompletableFuture.failedFuture(new UncheckedIOException(e)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // closed by the consumer
      } catch (RuntimeException | Error e) {
        // e.g. OutOfMemoryError on a huge line: the consumer must hear of it, not wait for ever
        offerQuietly(CompletableFuture.failedFuture(e));
      }
    }

    private void offerQuietly(CompletableFuture<List<List<String>>> f) {
      try {
        queue.put(f);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private List<List<String>> tokenize(List<String> lines) {
      Tokenizer t = tokenizer.get();
      List<List<String>> out = new ArrayList<>(lines.size());
      for (String line : lines) {
        List<String> tokens = new ArrayList<>();
        t.tokenize(line, tokens);
        out.add(tokens);
      }
      return out;
    }

    @Override
    List<String> next() throws IOException {
      while (index == batch.size()) {
        if (ended) return null;
        try {
          List<List<String>> b = queue.take().get();
          if (b == END) {
            ended = true;
            return null;
          }
          batch = b;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while reading the input", e);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof UncheckedIOException u) throw u.getCause();
          throw new IOException("reading the input failed: " + cause, cause);
        }
        index = 0;
      }
      return batch.get(index++);
    }

    @Override
    long bytesRead() {
      return bytes;
    }

    @Override
    public void close() throws IOException {
      closed = true;
      reader.interrupt();
      tokenizers.shutdownNow();
      try {
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      src.close();
    }
  }
}
