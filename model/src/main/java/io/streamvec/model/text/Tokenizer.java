package io.streamvec.model.text;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns raw text into the token stream the model learns from: lowercased Unicode words, numbers
 * folded to {@link #NUM}, and {@link #EOS} after every sentence (including the last one of the
 * text).
 *
 * <p>Words and sentences come from the JDK's {@link BreakIterator} (Locale.ROOT): it is
 * dependency-free, keeps "don't", "o'clock" and "well-known" whole, and handles any script. A few
 * of its known gaps are patched by normalising the text first (see {@link #normalise}): the
 * typographic apostrophe ’ is not a word-internal character for it (so it is mapped to '), an em
 * dash between two words would glue them into one token (so long dashes become spaces), and
 * invisible format characters would stick to words (so they are removed). Its sentence rules also
 * break after "Mr." before a capital; a short list of title abbreviations suppresses that break.
 *
 * <p>Token rules: a token needs at least one letter or numeric character; a token with numeric
 * characters but no letter ("1,000", "3.14", "1790", "$5", "50%") is a number and becomes {@link
 * #NUM}; the literal strings {@link #EOS} and {@link #NUM} in the input pass through unchanged, so
 * tokens joined by spaces re-tokenize to themselves. Text longer than {@code maxLineChars} is cut
 * at the last whitespace before the limit (or at the limit if there is none).
 *
 * <p>A text that is all ASCII after normalising (nearly every line of English) is split into words
 * by {@link AsciiWords} and into sentences by {@link AsciiSentences}, which find the boundaries the
 * JDK's word and sentence BreakIterators find there at a fraction of their cost.
 *
 * <p>Not thread-safe: it reuses its BreakIterators and buffers between calls, so use one per
 * thread.
 */
public final class Tokenizer {
  /** Sentence boundary token. */
  public static final String EOS = "</s>";

  /** Every number folds to this token. */
  public static final String NUM = "<num>";

  /** Titles after which the JDK wrongly ends a sentence ("Mr. Darcy"); compared lowercased. */
  private static final Set<String> TITLE_ABBREVIATIONS =
      Set.of(
          "mr", "mrs", "ms", "messrs", "mme", "mlle", "dr", "prof", "rev", "st", "hon", "capt",
          "col", "gen", "lt", "sgt", "jr", "sr");

  private final int maxLineChars;
  private final BreakIterator words = BreakIterator.getWordInstance(Locale.ROOT);
  private final BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
  // Two cursors over the same buffer: each BreakIterator moves its own.
  private final CharArrayIterator wordText = new CharArrayIterator();
  private final CharArrayIterator sentenceText = new CharArrayIterator();

  // Scratch, grown on demand and reused across calls.
  private char[] buf = new char[1024]; // normalised input
  private char[] lower = new char[64]; // an ASCII token being lowercased
  private int length; // chars of buf in use
  private boolean ascii; // every char of buf[0, length) is below 0x80
  // split ASCII text with AsciiWords and AsciiSentences (false: the reference path)
  private final boolean asciiWords;
  private boolean asciiPath; // this call's text takes the ASCII path

  // Per-call state.
  private boolean truncated;
  private boolean sentenceHasWords;
  private boolean lastWordWasTitle;

  public Tokenizer(int maxLineChars) {
    this(maxLineChars, true);
  }

  /** asciiWords false: every text goes through the BreakIterators (what tests compare with). */
  Tokenizer(int maxLineChars, boolean asciiWords) {
    this.asciiWords = asciiWords;
    if (maxLineChars <= 0) {
      throw new IllegalArgumentException("maxLineChars must be > 0, got " + maxLineChars);
    }
    this.maxLineChars = maxLineChars;
  }

  /** Returns the tokens of text in a new list; null or empty text gives an empty list. */
  public List<String> tokenize(CharSequence text) {
    List<String> out = new ArrayList<>();
    tokenize(text, out);
    return out;
  }

  /**
   * Appends the tokens of text to out (cleared first); never throws on any input (null -> nothing).
   */
  public void tokenize(CharSequence text, List<String> out) {
    out.clear();
    truncated = false;
    sentenceHasWords = false;
    lastWordWasTitle = false;
    if (text == null || text.length() == 0) {
      return;
    }
    normalise(text, keptLength(text));
    asciiPath = ascii && asciiWords;
    if (asciiPath) {
      tokenizeAscii(out);
      return;
    }
    sentenceText.reset(buf, length);
    sentences.setText(sentenceText);
    wordText.reset(buf, length);
    words.setText(wordText);

    // Walk words and sentences side by side: a sentence ends before the first word starting at or
    // after its boundary.
    int sentenceEnd = nextSentenceEnd(0);
    int start = words.first();
    for (int end = words.next(); end != BreakIterator.DONE; start = end, end = words.next()) {
      sentenceEnd = passSentenceEnds(start, sentenceEnd, out);
      emit(start, end, out);
    }
    endSentence(out);
  }

  /**
   * The same walk with the words of {@link AsciiWords}, which yields only the pieces that can hold
   * a token: the BreakIterator's other pieces (spaces, lone punctuation) emit nothing, and passing
   * a sentence end at one of them or at the next word is the same. Sentences come from {@link
   * AsciiSentences}.
   */
  private void tokenizeAscii(List<String> out) {
    int sentenceEnd = nextSentenceEnd(0);
    int start = AsciiWords.nextStart(buf, 0, length);
    while (start < length) {
      int end = AsciiWords.end(buf, start, length);
      sentenceEnd = passSentenceEnds(start, sentenceEnd, out);
      emit(start, end, out);
      start = AsciiWords.nextStart(buf, end, length);
    }
    endSentence(out);
  }

  /** Ends the sentences whose boundaries lie at or before start; returns the next boundary. */
  private int passSentenceEnds(int start, int sentenceEnd, List<String> out) {
    while (sentenceEnd != BreakIterator.DONE && start >= sentenceEnd) {
      if (!lastWordWasTitle) {
        endSentence(out);
      }
      sentenceEnd = nextSentenceEnd(sentenceEnd);
    }
    return sentenceEnd;
  }

  /** The sentence boundary after the boundary at, or DONE past the end of the text. */
  private int nextSentenceEnd(int at) {
    if (!asciiPath) {
      return sentences.next();
    }
    return at < length ? AsciiSentences.next(buf, at, length) : BreakIterator.DONE;
  }

  /** True if the last call cut its text at maxLineChars. */
  public boolean lastWasTruncated() {
    return truncated;
  }

  /**
   * Number of leading chars of text to tokenize: all of it, or up to the last whitespace before the
   * limit.
   */
  private int keptLength(CharSequence text) {
    int n = text.length();
    if (n <= maxLineChars) {
      return n;
    }
    truncated = true;
    for (int i = maxLineChars; i > 0; i--) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        return i;
      }
    }
    // One giant "word": cut hard, but never between the halves of a surrogate pair.
    return Character.isHighSurrogate(text.charAt(maxLineChars - 1))
        ? maxLineChars - 1
        : maxLineChars;
  }

  /** Copies text[0, n) into buf, patching the BreakIterator gaps described in the class comment. */
  private void normalise(CharSequence text, int n) {
    if (buf.length < n) {
      buf = new char[Math.max(n, buf.length * 2)];
    }
    if (text instanceof String) {
      ((String) text).getChars(0, n, buf, 0);
    } else if (text instanceof StringBuilder) {
      ((StringBuilder) text).getChars(0, n, buf, 0);
    } else {
      for (int i = 0; i < n; i++) {
        buf[i] = text.charAt(i);
      }
    }
    int w = 0;
    boolean allAscii = true;
    for (int r = 0; r < n; r++) {
      char c = buf[r];
      if (c >= 0x80) {
        switch (c) {
          case '\u2018':
          case '\u2019':
          case '\uFF07': // typographic apostrophes
            c = '\'';
            break;
          case '\u2012':
          case '\u2013':
          case '\u2014':
          case '\u2015': // figure/en/em dash, bar
          case '\u2E3A':
          case '\u2E3B':
          case '\uFE31':
          case '\uFE32':
          case '\uFE58':
          case '\u200B': // zero-width space
            c = ' ';
            break;
          case '\u00AD':
          case '\u200E':
          case '\u200F':
          case '\u2060':
          case '\uFEFF':
          case '\u202A':
          case '\u202B':
          case '\u202C':
          case '\u202D':
          case '\u202E':
          case '\u2066':
          case '\u2067':
          case '\u2068':
          case '\u2069':
            continue; // invisible: drop
          default:
            allAscii = false;
            break;
        }
      }
      buf[w++] = c;
    }
    length = w;
    ascii = allAscii;
  }

  /** Emits the token for buf[start, end) if it has a letter or a numeric char. */
  private void emit(int start, int end, List<String> out) {
    boolean letter = false;
    boolean numeric = false;
    boolean ascii = true;
    boolean upper = false;
    for (int i = start; i < end; i++) {
      char c = buf[i];
      if (c < 0x80) {
        if (c >= 'a' && c <= 'z') {
          letter = true;
        } else if (c >= 'A' && c <= 'Z') {
          letter = true;
          upper = true;
        } else if (c >= '0' && c <= '9') {
          numeric = true;
        }
      } else {
        ascii = false;
        int cp = Character.codePointAt(buf, i, end);
        if (Character.isLetter(cp)) {
          letter = true;
        } else if (isNumeric(cp)) {
          numeric = true;
        }
        if (cp > 0xFFFF) {
          i++;
        }
      }
    }
    if (!letter) {
      if (numeric) {
        add(NUM, out);
      }
      return;
    }
    int n = end - start;
    if (isLiteral(start, end, "s", "</")) {
      out.add(EOS);
      sentenceHasWords = false;
      lastWordWasTitle = false;
      return;
    }
    if (isLiteral(start, end, "num", "<")) {
      add(NUM, out);
      return;
    }
    String token;
    if (!ascii) {
      token = new String(buf, start, n).toLowerCase(Locale.ROOT);
    } else if (upper) {
      if (lower.length < n) {
        lower = new char[Math.max(n, lower.length * 2)];
      }
      for (int i = 0; i < n; i++) {
        char c = buf[start + i];
        lower[i] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
      }
      token = new String(lower, 0, n);
    } else {
      token = new String(buf, start, n);
    }
    add(token, out);
    lastWordWasTitle = end < length && buf[end] == '.' && TITLE_ABBREVIATIONS.contains(token);
  }

  private void add(String token, List<String> out) {
    out.add(token);
    sentenceHasWords = true;
    lastWordWasTitle = false;
  }

  private void endSentence(List<String> out) {
    if (sentenceHasWords) {
      out.add(EOS);
      sentenceHasWords = false;
    }
    lastWordWasTitle = false;
  }

  /**
   * True if buf[start, end) is body, preceded by open and followed by '>' (our own EOS/NUM
   * literals).
   */
  private boolean isLiteral(int start, int end, String body, String open) {
    int from = start - open.length();
    if (end - start != body.length() || from < 0 || end >= length || buf[end] != '>') {
      return false;
    }
    for (int i = 0; i < open.length(); i++) {
      if (buf[from + i] != open.charAt(i)) {
        return false;
      }
    }
    for (int i = 0; i < body.length(); i++) {
      if (buf[start + i] != body.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumeric(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }
}
