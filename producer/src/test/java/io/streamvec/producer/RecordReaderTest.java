package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.producer.RecordReader.Mode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class RecordReaderTest {

  static List<String> records(byte[] input, Mode mode, int max) throws IOException {
    List<String> out = new ArrayList<>();
    for (byte[] r : raw(input, mode, max)) out.add(new String(r, StandardCharsets.UTF_8));
    return out;
  }

  static List<byte[]> raw(byte[] input, Mode mode, int max) throws IOException {
    List<byte[]> out = new ArrayList<>();
    try (RecordReader r = new RecordReader(new ByteArrayInputStream(input), mode, max)) {
      for (byte[] v = r.next(); v != null; v = r.next()) out.add(v);
    }
    return out;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(o)) {
      g.write(b);
    }
    return o.toByteArray();
  }

  @Test
  void lineModeSendsWhatKcatSends() throws IOException {
    // kcat -P: empty lines skipped; '\r' and whitespace-only lines kept; a last line without '\n'
    // sent
    assertEquals(
        List.of("a", "b\r", "  ", "last"), records(utf8("a\n\nb\r\n  \n\nlast"), Mode.LINE, 1000));
    assertEquals(List.of(), records(utf8(""), Mode.LINE, 1000));
    assertEquals(List.of(), records(utf8("\n\n\n"), Mode.LINE, 1000));
    assertEquals(List.of("x"), records(utf8("x\n"), Mode.LINE, 1000));
  }

  @Test
  void paragraphModeJoinsLinesUpToBlankLines() throws IOException {
    String text = "\n\nfirst line\nsecond line\n\n \t\r\nthird\r\nfourth\n   \n\n\nlast one\n\n";
    assertEquals(
        List.of("first line\nsecond line", "third\r\nfourth", "last one"),
        records(utf8(text), Mode.PARAGRAPH, 1000));
    assertEquals(
        List.of("no newline at end"), records(utf8("no newline at end"), Mode.PARAGRAPH, 1000));
  }

  @Test
  void documentModeIsTheWholeStream() throws IOException {
    assertEquals(List.of("a\n\nb\n"), records(utf8("a\n\nb\n"), Mode.DOCUMENT, 1000));
  }

  @Test
  void gzipIsDetectedByContentAndConcatenatedMembersAreRead() throws IOException {
    ByteArrayOutputStream two = new ByteArrayOutputStream();
    two.write(gzip(utf8("one\ntwo\n")));
    two.write(gzip(utf8("three\n")));
    assertEquals(List.of("one", "two", "three"), records(two.toByteArray(), Mode.LINE, 1000));
  }

  @Test
  void invalidUtf8GoesThroughUntouched() throws IOException {
    byte[] bad = {'o', 'k', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '\n', 'x'};
    List<byte[]> r = raw(bad, Mode.LINE, 1000);
    assertArrayEquals(new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28, (byte) 0xFF}, r.get(0));
    assertArrayEquals(new byte[] {'x'}, r.get(1));
  }

  @Test
  void overlongRecordsAreCutWithoutLosingBytesOrSplittingCharacters() throws IOException {
    Random rnd = new Random(5);
    String[] words = {"lord", "über", "日本語", "😀", "a", "naïve"};
    for (Mode mode : Mode.values()) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 5000; i++)
        b.append(words[rnd.nextInt(words.length)])
            .append(rnd.nextInt(40) == 0 ? "\n" : rnd.nextInt(3) == 0 ? "" : " ");
      byte[] input = utf8(b.toString());
      int max = 200;
      List<byte[]> records = raw(input, mode, max);
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      for (byte[] r : records) {
        assertTrue(r.length <= max, mode + ": record of " + r.length + " bytes > " + max);
        assertTrue(r.length > 0);
        // each piece is valid UTF-8 on its own (a strict decoder throws otherwise): no character
        // was split
        StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(r));
        joined.write(r);
        if (mode == Mode.LINE) joined.write('\n');
      }
      if (mode == Mode.DOCUMENT) {
        assertArrayEquals(input, joined.toByteArray(), "document pieces concatenate to the input");
        assertTrue(records.size() > 1);
      }
      if (mode == Mode.LINE) {
        // pieces of one line concatenate to the line: compare with the '\n's removed
        String withoutBreaks = b.toString().replace("\n", "");
        assertEquals(withoutBreaks, joined.toString(StandardCharsets.UTF_8).replace("\n", ""));
      }
    }
  }

  @Test
  void aLongWordWithoutSpacesIsCutAtACharacterBoundary() throws IOException {
    String word = "日".repeat(100); // 300 bytes, 3 per character, no whitespace
    List<byte[]> r = raw(utf8(word), Mode.LINE, 100);
    StringBuilder back = new StringBuilder();
    for (byte[] piece : r) {
      assertTrue(
          piece.length <= 100 && piece.length % 3 == 0, "cut inside a character: " + piece.length);
      back.append(new String(piece, StandardCharsets.UTF_8));
    }
    assertEquals(word, back.toString());
  }
}
