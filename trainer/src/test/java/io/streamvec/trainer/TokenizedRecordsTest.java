package io.streamvec.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.streamvec.model.text.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The token lists of {@link TokenizedRecords} at 1 (all on the caller), 2 and 3 threads (reading
 * and tokenizing on threads of their own): each line's tokens from the {@link Tokenizer} alone, in
 * file order, across many batches; a read that fails mid-file ends every one of them with the
 * IOException, not an early end or a wait that never ends.
 */
class TokenizedRecordsTest {
  private static final int MAX = 1000;

  private static final String[] WORDS = {"river", "stone", "Paris", "quick", "don't", "é", "ok"};

  private static List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 3000; i++) { // ~12 batches of 256 records
      if (i % 17 == 0) lines.add(""); // an empty record
      StringBuilder b = new StringBuilder();
      for (int j = 0; j <= i % 5; j++) b.append(WORDS[(i * 31 + j * 7) % WORDS.length]).append(' ');
      lines.add(b.append("end.").toString());
    }
    return lines;
  }

  private static byte[] corpus() {
    return (String.join("\n", lines()) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  private static List<List<String>> read(byte[] bytes, int threads) throws IOException {
    TextSource src = new TextSource(new ByteArrayInputStream(bytes), MAX);
    try (TokenizedRecords r = TokenizedRecords.open(src, MAX, threads)) {
      List<List<String>> out = new ArrayList<>();
      List<String> t;
      while ((t = r.next()) != null) out.add(new ArrayList<>(t)); // valid until the next call
      return out;
    }
  }

  @Test
  void everyThreadCountGivesEachLinesTokensInFileOrder() throws IOException {
    List<List<String>> expected = new ArrayList<>();
    Tokenizer tokenizer = new Tokenizer(MAX);
    for (String line : lines()) {
      List<String> tokens = new ArrayList<>();
      tokenizer.tokenize(line, tokens);
      expected.add(tokens);
    }
    for (int threads : new int[] {1, 2, 3}) {
      int n = threads;
      List<List<String>> got =
          assertTimeoutPreemptively(Duration.ofSeconds(20), () -> read(gzip(corpus()), n));
      assertEquals(expected.size(), got.size(), "records at threads " + threads);
      for (int i = 0; i < expected.size(); i++)
        assertEquals(expected.get(i), got.get(i), "record " + i + " at threads " + threads);
    }
  }

  @Test
  void aReadFailingMidFileEndsEveryThreadCountWithTheIoException() throws IOException {
    byte[] whole = gzip(corpus());
    byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3); // gzip ends early: EOFException
    for (int threads : new int[] {1, 2, 3}) {
      int n = threads;
      assertTimeoutPreemptively(
          Duration.ofSeconds(20),
          () -> assertThrows(IOException.class, () -> read(cut, n), "threads " + n));
    }
  }
}
