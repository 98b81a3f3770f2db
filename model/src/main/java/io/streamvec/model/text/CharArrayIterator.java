package io.streamvec.model.text;

import java.text.CharacterIterator;

/**
 * A reusable {@link CharacterIterator} over a prefix of a char array. The JDK only offers one over
 * a String; this one lets the tokenizer hand its normalised scratch buffer to both BreakIterators
 * without allocating a String or an iterator per call.
 */
final class CharArrayIterator implements CharacterIterator {
  private char[] chars = new char[0];
  private int end;
  private int pos;

  /** Points the iterator at chars[0, length) and rewinds it. The array is shared, not copied. */
  void reset(char[] chars, int length) {
    this.chars = chars;
    this.end = length;
    this.pos = 0;
  }

  @Override
  public char first() {
    pos = 0;
    return current();
  }

  @Override
  public char last() {
    pos = end == 0 ? 0 : end - 1;
    return current();
  }

  @Override
  public char current() {
    return pos < end ? chars[pos] : DONE;
  }

  @Override
  public char next() {
    if (pos < end) {
      pos++;
    }
    return current();
  }

  @Override
  public char previous() {
    if (pos == 0) {
      return DONE;
    }
    pos--;
    return chars[pos];
  }

  @Override
  public char setIndex(int position) {
    if (position < 0 || position > end) {
      throw new IllegalArgumentException("index " + position + " outside [0, " + end + "]");
    }
    pos = position;
    return current();
  }

  @Override
  public int getBeginIndex() {
    return 0;
  }

  @Override
  public int getEndIndex() {
    return end;
  }

  @Override
  public int getIndex() {
    return pos;
  }

  @Override
  public Object clone() {
    try {
      return super.clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }
}
