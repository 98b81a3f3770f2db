package io.streamvec.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class TextSourceTest {

  static List<String> records(byte[] bytes, int max) throws IOException {
    List<String> out = new ArrayList<>();
    try (TextSource s = new TextSource(new ByteArrayInputStream(bytes), max)) {
      String r;
      while ((r = s.next()) != null) out.add(r);
    }
    return out;
  }

  @Test
  void linesPlainAndGzipGiveTheSameRecords() throws IOException {
    byte[] plain = "one two\nthree\n\nfour".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
      z.write(plain);
    }
    assertEquals(List.of("one two", "three", "", "four"), records(plain, 100));
    assertEquals(records(plain, 100), records(gz.toByteArray(), 100));
  }

  @Test
  void overlongLinesAreSplitAtWhitespaceWithoutLosingText() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < 5000; i++) line.append("word").append(i).append(' ');
    List<String> recs = records((line + "\nnext").getBytes(StandardCharsets.UTF_8), 1000);
    assertTrue(recs.size() > 20, "split into " + recs.size());
    for (String r : recs) assertTrue(r.length() <= 1000, "record of " + r.length() + " chars");
    assertEquals(line.toString(), String.join("", recs.subList(0, recs.size() - 1)));
    assertEquals("next", recs.get(recs.size() - 1));
  }

  @Test
  void invalidUtf8BecomesReplacementCharacters() throws IOException {
    byte[] bad = {'a', (byte) 0xC3, '\n', (byte) 0xFF, 'b'};
    List<String> recs = records(bad, 100);
    assertEquals(List.of("a\uFFFD", "\uFFFDb"), recs);
  }

  @Test
  void emptyInputHasNoRecords() throws IOException {
    assertNull(new TextSource(new ByteArrayInputStream(new byte[0]), 10).next());
  }
}
