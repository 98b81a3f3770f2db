package io.streamvec.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link AsciiWords} and the tokenizer's ASCII path against the JDK's word BreakIterator, the
 * reference they reimplement, on random text drawn from every ASCII character (weighted towards
 * letters, digits and the marks the word rules treat specially) and on sample sentences.
 */
class AsciiWordsTest {
  // each kind of character the rules tell apart, plus the rest of ASCII below
  private static final String INTERESTING = "aZk9 0-_\"'.,$#%&!?()[]{}<>/:;\t\r\n\f\u000b\u0000";

  private static String randomAscii(SplittableRandom r, int maxLength) {
    return RandomAscii.text(r, maxLength, INTERESTING);
  }

  /** The BreakIterator's pieces that hold a letter or digit, as start,end pairs. */
  private static List<Integer> reference(String text) {
    BreakIterator words = BreakIterator.getWordInstance(Locale.ROOT);
    words.setText(text);
    List<Integer> pieces = new ArrayList<>();
    int start = words.first();
    for (int end = words.next(); end != BreakIterator.DONE; start = end, end = words.next()) {
      boolean holds = false;
      for (int i = start; i < end; i++) holds |= Character.isLetterOrDigit(text.charAt(i));
      if (holds) {
        pieces.add(start);
        pieces.add(end);
      }
    }
    return pieces;
  }

  private static List<Integer> pieces(String text) {
    char[] s = text.toCharArray();
    int n = s.length;
    List<Integer> pieces = new ArrayList<>();
    for (int start = AsciiWords.nextStart(s, 0, n); start < n; ) {
      int end = AsciiWords.end(s, start, n);
      pieces.add(start);
      pieces.add(end);
      start = AsciiWords.nextStart(s, end, n);
    }
    return pieces;
  }

  @Test
  void piecesAreTheBreakIterators() {
    SplittableRandom r = new SplittableRandom(17);
    for (int i = 0; i < 200_000; i++) {
      String text = randomAscii(r, i < 100_000 ? 8 : 40);
      assertEquals(reference(text), pieces(text), () -> "pieces of \"" + escape(text) + "\"");
    }
  }

  @Test
  void asciiPathTokenizesAsTheBreakIteratorPath() {
    Tokenizer fast = new Tokenizer(1000), reference = new Tokenizer(1000, false);
    SplittableRandom r = new SplittableRandom(23);
    String[] samples = {
      "Mr. Darcy paid $5,000.50 (50%) on 3.14.15 -- don't ask. Why? \"Yes!\" said she.",
      "</s> <num> a</s>b <num>5 x.5y $#.5 1'000 a_b a-b-c- --x 4&5 R&D e.g. U.S.A. etc.",
      "the_quick\tbrown\r\nfox\f jumps\u000bover 1st 2nd v2.0.1 #12 .NET 10%off",
    };
    for (String s : samples) assertEquals(reference.tokenize(s), fast.tokenize(s), s);
    for (int i = 0; i < 100_000; i++) {
      String text = randomAscii(r, 60);
      assertEquals(reference.tokenize(text), fast.tokenize(text), () -> escape(text));
    }
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
