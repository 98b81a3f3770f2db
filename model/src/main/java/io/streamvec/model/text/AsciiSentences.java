package io.streamvec.model.text;

/**
 * The sentence boundaries the JDK's sentence {@link java.text.BreakIterator} (Locale.ROOT) finds in
 * ASCII text, without its per-character table lookups and virtual calls. The BreakIterator runs its
 * sentence rules as one state machine from each boundary to the next; this is that machine for the
 * ASCII characters, including where it stops short of what the rules say. Its rules, for ASCII:
 *
 * <ul>
 *   <li>a terminator ({@code ! ?}), then any terminators, periods and closing marks (the brackets )
 *       ] and the brace, the quotes " and '), then any spaces ({@code \t \n \f \r} and space) end a
 *       sentence;
 *   <li>a period, then periods and closing marks, then spaces, ends a sentence before a capital;
 *   <li>a period, then periods and closing marks, then optional spaces, ends a sentence before a
 *       run of opening marks (the brackets ( [, the brace, the quotes " and ') and other symbols
 *       (anything but letters, digits, spaces, {@code , . ! ?} and closing marks) that is followed
 *       by a letter.
 * </ul>
 *
 * Where the machine deviates: after two or more spaces a lowercase letter ends the sentence too;
 * after a period with quotes, a letter ends it at once (".'a"); and after a quote or two spaces, a
 * symbol run that is not followed by a letter or more symbols makes it give up, and the sentence
 * then ends where the plain text before the period ended (at least one character on). At the end of
 * the text, a sentence ends there if the last character kept the period rules open.
 * AsciiSentencesTest compares this with the BreakIterator on random text made of every kind of
 * ASCII character.
 */
final class AsciiSentences {
  // Character classes: the JDK's sentence rules tell these apart, and no others, within ASCII.
  private static final byte SYMBOL = 0, UPPER = 1, LOWER = 2, DIGIT = 3, SPACE = 4, QUOTE = 5;
  // TERM and PERIOD come last: next() skips plain text with one comparison.
  private static final byte OPEN = 6, CLOSE = 7, COMMA = 8, TERM = 9, PERIOD = 10;
  private static final byte[] CLASS = new byte[128];

  static {
    for (char c = 'A'; c <= 'Z'; c++) CLASS[c] = UPPER;
    for (char c = 'a'; c <= 'z'; c++) CLASS[c] = LOWER;
    for (char c = '0'; c <= '9'; c++) CLASS[c] = DIGIT;
    for (char c : "\t\n\f\r ".toCharArray()) CLASS[c] = SPACE;
    for (char c : "\"'".toCharArray()) CLASS[c] = QUOTE;
    for (char c : "([{".toCharArray()) CLASS[c] = OPEN;
    for (char c : ")]}".toCharArray()) CLASS[c] = CLOSE;
    for (char c : "!?".toCharArray()) CLASS[c] = TERM;
    CLASS['.'] = PERIOD;
    CLASS[','] = COMMA;
  }

  // States of the scan. A boundary may follow plain text and the terminator rule's characters
  // (accepting); after a period the scan marks where the boundary would go if the lookahead
  // matches (marking); within a symbol run it only waits for the letter.
  private static final int TEXT = 0; // accepting
  private static final int AFTER_PERIOD = 1, AFTER_QUOTE = 2, ONE_SPACE = 3, SPACES = 4; // marking
  private static final int RUN = 5, STRICT_RUN = 6; // waiting
  private static final int TERMINATED = 7, TERM_SPACES = 8; // accepting
  private static final int FOUND = 9, GIVE_UP = 10;

  private AsciiSentences() {}

  /** The first sentence boundary after start in the ASCII text s[0, n), start < n; n if none. */
  static int next(char[] s, int start, int n) {
    int accepted = start + 1; // the BreakIterator always moves at least one character
    int marked = -1;
    int state = TEXT;
    int i = start;
    while (true) {
      if (state == TEXT) { // plain text stays plain up to a terminator or period
        while (i < n && CLASS[s[i]] < TERM) i++;
        accepted = Math.max(accepted, i);
      }
      if (i == n) {
        return marked == n ? n : accepted;
      }
      state = step(state, CLASS[s[i++]]);
      if (state >= AFTER_PERIOD && state <= SPACES) {
        marked = i;
      } else if (state == TEXT || state == TERMINATED || state == TERM_SPACES) {
        accepted = i;
      } else if (state == FOUND) {
        return marked;
      } else if (state == GIVE_UP) {
        return accepted;
      }
    }
  }

  private static int step(int state, int c) {
    switch (state) {
      case TEXT:
        return c == PERIOD ? AFTER_PERIOD : c == TERM ? TERMINATED : TEXT;
      case AFTER_PERIOD:
        switch (c) {
          case PERIOD:
          case CLOSE:
            return AFTER_PERIOD;
          case QUOTE:
            return AFTER_QUOTE;
          case SPACE:
            return ONE_SPACE;
          case SYMBOL:
          case OPEN:
            return RUN;
          case TERM:
            return TERMINATED;
          default:
            return TEXT;
        }
      case AFTER_QUOTE:
        switch (c) {
          case PERIOD:
          case CLOSE:
            return AFTER_PERIOD;
          case QUOTE:
            return AFTER_QUOTE;
          case SPACE:
            return ONE_SPACE;
          case SYMBOL:
          case OPEN:
            return STRICT_RUN;
          case UPPER:
          case LOWER:
            return FOUND;
          case TERM:
            return TERMINATED;
          default:
            return TEXT;
        }
      case ONE_SPACE:
      case SPACES:
        switch (c) {
          case SPACE:
            return SPACES;
          case QUOTE:
          case SYMBOL:
          case OPEN:
            return state == ONE_SPACE ? RUN : STRICT_RUN;
          case UPPER:
            return FOUND;
          case LOWER:
            return state == ONE_SPACE ? TEXT : FOUND;
          case PERIOD:
            return AFTER_PERIOD;
          case TERM:
            return TERMINATED;
          default:
            return TEXT;
        }
      case RUN:
      case STRICT_RUN:
        switch (c) {
          case QUOTE:
          case SYMBOL:
          case OPEN:
            return RUN;
          case UPPER:
          case LOWER:
            return FOUND;
          case PERIOD:
            return state == RUN ? AFTER_PERIOD : GIVE_UP;
          case TERM:
            return state == RUN ? TERMINATED : GIVE_UP;
          default:
            return state == RUN ? TEXT : GIVE_UP;
        }
      case TERMINATED:
        switch (c) {
          case TERM:
          case PERIOD:
          case QUOTE:
          case CLOSE:
            return TERMINATED;
          case SPACE:
            return TERM_SPACES;
          default:
            return GIVE_UP;
        }
      default: // TERM_SPACES
        return c == SPACE ? TERM_SPACES : GIVE_UP;
    }
  }
}
