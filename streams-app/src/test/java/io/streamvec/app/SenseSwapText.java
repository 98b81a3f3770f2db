package io.streamvec.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic stream with known meaning changes: sentences from templates per category (fruits,
 * vehicles, animals, tools); in phase 2 {@link #SWAPPED} trade places: "apple" is used where
 * vehicles go and "car" where fruits go, every other word as before. A drift measure should rank
 * the two swapped words first.
 */
public final class SenseSwapText {
  private SenseSwapText() {}

  public static final List<String> SWAPPED = List.of("apple", "car");

  static final String[][] WORDS = {
    {"apple", "pear", "banana", "plum", "grape", "cherry"},
    {"car", "bus", "truck", "train", "bike", "van"},
    {"dog", "cat", "horse", "cow", "sheep", "goat"},
    {"hammer", "saw", "drill", "wrench", "chisel", "file"}
  };
  static final String[][] TEMPLATES = {
    {"i eat the X", "the X is sweet and ripe", "she peeled a juicy X", "a fresh X from the market"},
    {
      "i drive the X to work",
      "the X is fast on the road",
      "he parked the red X",
      "a loud X stopped"
    },
    {"i feed the X", "the X is hungry in the barn", "they saw a wild X run", "a young X sleeps"},
    {"i use the X", "the X is sharp and heavy", "he fixed it with a X", "a steel X in the shed"}
  };

  /** n sentences; swapped = phase 2 (apple and car trade categories). */
  public static List<String> lines(int n, boolean swapped, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(WORDS.length);
      String word = WORDS[c][r.nextInt(WORDS[c].length)];
      if (swapped && word.equals("apple")) c = 1;
      else if (swapped && word.equals("car")) c = 0;
      String t = TEMPLATES[c][r.nextInt(TEMPLATES[c].length)];
      out.add(t.replace("X", word));
    }
    return out;
  }
}
