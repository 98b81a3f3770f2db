package io.streamvec.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link AsciiSentences} against the JDK's sentence BreakIterator, the reference it reimplements,
 * on random text drawn from every ASCII character (weighted towards the classes the sentence rules
 * tell apart) and on sample sentences. With -Dsentences.corpus=FILE it also compares every ASCII
 * line of that file, and -Dsentences.random=N draws N random texts instead of 300,000.
 */
class AsciiSentencesTest {
  // each class of character the sentence rules tell apart, plus the rest of ASCII below
  private static final String INTERESTING = "aZ9 .!?\"'()[]{},-#\t\n\r\f\u000b\u0000";

  private static String randomAscii(SplittableRandom r, int maxLength) {
    return RandomAscii.text(r, maxLength, INTERESTING);
  }

  private static List<Integer> reference(String text) {
    BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
    sentences.setText(text);
    List<Integer> ends = new ArrayList<>();
    for (int end = sentences.next(); end != BreakIterator.DONE; end = sentences.next()) {
      ends.add(end);
    }
    return ends;
  }

  private static List<Integer> ends(String text) {
    char[] s = text.toCharArray();
    List<Integer> ends = new ArrayList<>();
    for (int end = 0; end < s.length; ) {
      end = AsciiSentences.next(s, end, s.length);
      ends.add(end);
    }
    return ends;
  }

  @Test
  void samplesEndWhereTheBreakIteratorsEnd() {
    String[] samples = {
      "Mr. Darcy came. He sat down! Why? \"Yes.\" (She left.) 'No,' said he.",
      "a.'A .\"b x.) (b a.  b a. b a!) .  b a.(.B a.'(.A a. -A a. -1 e.g. U.S.A. 3.14.",
      "end. (",
      "a. \"(",
      "Wait... what?! Really?\" he asked.  then",
    };
    for (String s : samples) assertEquals(reference(s), ends(s), s);
  }

  @Test
  void randomTextEndsWhereTheBreakIteratorsEnds() {
    SplittableRandom r = new SplittableRandom(29);
    int count = Integer.getInteger("sentences.random", 300_000);
    for (int i = 0; i < count; i++) {
      String text = randomAscii(r, i < count / 2 ? 8 : 40);
      assertEquals(reference(text), ends(text), () -> "ends of \"" + escape(text) + "\"");
    }
  }

  @Test
  void corpusLinesEndWhereTheBreakIteratorsEnd() throws IOException {
    String corpus = System.getProperty("sentences.corpus");
    if (corpus == null) return;
    int[] compared = {0};
    try (Stream<String> lines = Files.lines(Path.of(corpus))) {
      lines
          .filter(line -> line.chars().allMatch(c -> c < 0x80))
          .forEach(
              line -> {
                assertEquals(reference(line), ends(line), line);
                compared[0]++;
              });
    }
    System.out.println("compared " + compared[0] + " ASCII lines of " + corpus);
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 32 || c == 127) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.toString();
  }
}
