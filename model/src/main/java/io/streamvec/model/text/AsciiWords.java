package io.streamvec.model.text;

/**
 * The pieces of ASCII text that can hold a token, with the boundaries the JDK's word {@link
 * java.text.BreakIterator} (Locale.ROOT) gives them, without its per-character state-table lookups.
 * Its rules, restricted to ASCII, are:
 *
 * <ul>
 *   <li>a word is letters, optionally joined by single mid-word marks {@code - _ " ' .} between
 *       letters; a number is digits, optionally joined by single mid-number marks {@code " ' , .}
 *       between digits;
 *   <li>words and numbers directly next to each other stay one piece ("abc123def"), and a number
 *       may end it with one {@code %} or {@code &};
 *   <li>one of {@code $ # .} directly before a number starts such a piece ("$5", ".5abc");
 *   <li>everything else is a piece of its own (one character, or a run of spaces and tabs with an
 *       optional CR and line feed), and holds no letter or digit.
 * </ul>
 *
 * A piece is the longest match. TokenizerTest compares this with the BreakIterator on random text
 * made of every kind of ASCII character.
 */
final class AsciiWords {
  private static final byte LETTER = 1, DIGIT = 2, MID_WORD = 4, MID_NUM = 8, POST_NUM = 16;
  private static final byte PRE_NUM = 32;
  private static final byte[] KIND = new byte[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) KIND[c] = LETTER;
    for (char c = 'A'; c <= 'Z'; c++) KIND[c] = LETTER;
    for (char c = '0'; c <= '9'; c++) KIND[c] = DIGIT;
    for (char c : "-_\"'.".toCharArray()) KIND[c] |= MID_WORD;
    for (char c : "\"',.".toCharArray()) KIND[c] |= MID_NUM;
    for (char c : "%&".toCharArray()) KIND[c] |= POST_NUM;
    for (char c : "$#.".toCharArray()) KIND[c] |= PRE_NUM;
  }

  private AsciiWords() {}

  private static boolean is(char[] s, int i, int n, byte kind) {
    return i < n && (KIND[s[i]] & kind) != 0;
  }

  /** The start of the first piece at or after i in s[0, n) that can hold a token, or n. */
  static int nextStart(char[] s, int i, int n) {
    for (; i < n; i++) {
      int k = KIND[s[i]];
      if ((k & (LETTER | DIGIT)) != 0 || ((k & PRE_NUM) != 0 && is(s, i + 1, n, DIGIT))) return i;
    }
    return n;
  }

  /** The end of the piece starting at start (as found by {@link #nextStart}). */
  static int end(char[] s, int start, int n) {
    int i = (KIND[s[start]] & PRE_NUM) != 0 ? start + 1 : start; // "$5": the number follows
    while (true) {
      if ((KIND[s[i]] & LETTER) != 0) {
        do i++;
        while (is(s, i, n, LETTER));
        if (is(s, i, n, MID_WORD) && is(s, i + 1, n, LETTER)) {
          i++;
        } else if (!is(s, i, n, DIGIT)) {
          return i;
        }
      } else {
        do i++;
        while (is(s, i, n, DIGIT));
        if (is(s, i, n, MID_NUM) && is(s, i + 1, n, DIGIT)) {
          i++;
        } else if (is(s, i, n, POST_NUM)) {
          return i + 1;
        } else if (!is(s, i, n, LETTER)) {
          return i;
        }
      }
    }
  }
}
