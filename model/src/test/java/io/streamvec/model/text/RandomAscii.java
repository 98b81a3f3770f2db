package io.streamvec.model.text;

import java.util.SplittableRandom;

/**
 * Random ASCII texts for comparing the tokenizer's ASCII paths with the JDK's BreakIterators: 70%
 * of the characters from the classes a test's rules tell apart, the rest from all of ASCII (control
 * characters more often than their share).
 */
final class RandomAscii {
  private RandomAscii() {}

  /** A text of 0..maxLength characters, weighted towards interesting. */
  static String text(SplittableRandom r, int maxLength, String interesting) {
    int n = r.nextInt(maxLength + 1);
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      int pick = r.nextInt(10);
      b.append(
          pick < 7
              ? interesting.charAt(r.nextInt(interesting.length()))
              : (char) r.nextInt(pick < 9 ? 128 : 32));
    }
    return b.toString();
  }
}
