package io.streamvec.model.text;

import static io.streamvec.model.text.Tokenizer.EOS;
import static io.streamvec.model.text.Tokenizer.NUM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  private final Tokenizer tokenizer = new Tokenizer(1_000_000);

  private void assertTokens(String text, String... expected) {
    assertEquals(List.of(expected), tokenizer.tokenize(text), "tokens of: " + text);
  }

  @Test
  void lowercasesWordsAndDropsPunctuation() {
    assertTokens("HELLO, World!", "hello", "world", EOS);
    assertTokens("The QUICK brown fox", "the", "quick", "brown", "fox", EOS);
  }

  @Test
  void handlesEuropeanScripts() {
    assertTokens("Die Straße über BRÜCKEN", "die", "straße", "über", "brücken", EOS);
    assertTokens(
        "L'été à Paris: où sont les élèves?",
        "l'été",
        "à",
        "paris",
        "où",
        "sont",
        "les",
        "élèves",
        EOS);
    assertTokens("Привет, МИР", "привет", "мир", EOS);
    assertTokens("Ἀθῆναι ΑΘΗΝΑ", "ἀθῆναι", "αθηνα", EOS);
  }

  @Test
  void cjkAndOtherScriptsGiveWordTokensWithoutCrashing() {
    List<String> tokens = tokenizer.tokenize("東京タワーへ行く。 ไทย 한국어 😀 text");
    assertEquals(EOS, tokens.get(tokens.size() - 1));
    assertTrue(tokens.contains("한국어"), tokens::toString);
    assertTrue(tokens.contains("text"), tokens::toString);
    assertFalse(tokens.contains("😀"), "symbols without letters are dropped");
  }

  @Test
  void apostropheAndHyphenWordsStayWholeButDashesSplit() {
    assertTokens("Don't come at o'clock", "don't", "come", "at", "o'clock", EOS);
    assertTokens("don\u2019t", "don't", EOS);
    assertTokens(
        "a well-known word\u2014another word--third",
        "a",
        "well-known",
        "word",
        "another",
        "word",
        "third",
        EOS);
  }

  @Test
  void foldsNumbers() {
    assertTokens(
        "In 1790 he paid 1,000 pounds, or 3.14 and .5 of it",
        "in",
        NUM,
        "he",
        "paid",
        NUM,
        "pounds",
        "or",
        NUM,
        "and",
        NUM,
        "of",
        "it",
        EOS);
    assertTokens("$5 is 50% of #10", NUM, "is", NUM, "of", NUM, EOS);
    assertTokens("the 1790s and the 4th", "the", "1790s", "and", "the", "4th", EOS);
    assertTokens("It was 1790. Then", "it", "was", NUM, EOS, "then", EOS);
  }

  @Test
  void endsEverySentenceIncludingTheLast() {
    assertTokens("One. Two! Three? Four", "one", EOS, "two", EOS, "three", EOS, "four", EOS);
    assertTokens(
        "A sentence\nwrapped over lines.  Next one.",
        "a",
        "sentence",
        "wrapped",
        "over",
        "lines",
        EOS,
        "next",
        "one",
        EOS);
    assertTokens("Mr. Darcy met Mrs. Bennet.", "mr", "darcy", "met", "mrs", "bennet", EOS);
  }

  @Test
  void emptyOrWordlessTextGivesNothing() {
    assertTokens(null);
    assertTokens("");
    assertTokens("   \n\t ");
    assertTokens("... !!! ?");
    assertTokens("\uFEFF");
  }

  @Test
  void ownTokensPassThrough() {
    assertTokens("hello </s> <num> world", "hello", EOS, NUM, "world", EOS);
    assertTokens("</s>", EOS);
    assertTokens("a</s>b", "a", EOS, "b", EOS);
    assertTokens("</S> <NUM>", "s", "num", EOS); // only the exact strings are ours
  }

  @Test
  void cutsLongTextAtLastWhitespaceBeforeTheLimit() {
    Tokenizer small = new Tokenizer(20);
    assertEquals(
        List.of("aaaa", "bbbb", "cccc", "dddd", EOS), small.tokenize("aaaa bbbb cccc dddd eeee"));
    assertTrue(small.lastWasTruncated());
    assertEquals(List.of("short", EOS), small.tokenize("short"));
    assertFalse(small.lastWasTruncated());
    // Exactly at the limit a whitespace after it keeps the whole prefix.
    assertEquals(
        List.of("aaaa", "bbbb", "cccc", "ddddd", EOS), small.tokenize("aaaa bbbb cccc ddddd eeee"));
    // No whitespace: a hard cut, never splitting a surrogate pair.
    Tokenizer three = new Tokenizer(3);
    assertEquals(List.of("ab", EOS), three.tokenize("ab\uD835\uDC00c"));
    assertTrue(three.lastWasTruncated());
  }

  @Test
  void hugeLineIsBoundedByTheLimit() {
    String huge = "word ".repeat(400_000) + "x".repeat(1_000_000);
    Tokenizer limited = new Tokenizer(100_000);
    List<String> tokens = limited.tokenize(huge);
    assertTrue(limited.lastWasTruncated());
    assertEquals(20_000 + 1, tokens.size(), "100k chars = 20k words, then the EOS");
    List<String> one = limited.tokenize("y".repeat(300_000));
    assertEquals(List.of("y".repeat(100_000), EOS), one);
  }

  @Test
  void garbageNeverThrowsAndTokensAreWellFormed() {
    Random random = new Random(42);
    List<String> out = new ArrayList<>();
    for (int round = 0; round < 300; round++) {
      char[] chars = new char[random.nextInt(400)];
      for (int i = 0; i < chars.length; i++) {
        chars[i] = (char) (round % 2 == 0 ? random.nextInt(0x10000) : random.nextInt(0x250));
      }
      byte[] bytes = new byte[random.nextInt(400)];
      random.nextBytes(bytes);
      for (CharSequence text :
          List.of(
              new String(chars),
              new StringBuilder().append(chars),
              CharBuffer.wrap(chars),
              new String(bytes, StandardCharsets.UTF_8),
              new String(bytes, StandardCharsets.ISO_8859_1))) {
        tokenizer.tokenize(text, out);
        for (String token : out) {
          assertWellFormed(token);
        }
      }
    }
    assertTokens("\uD800abc \uDC00 x\u0000y\u0007z\u001b[0m", "abc", "x", "y", "z", "0m", EOS);
  }

  private static void assertWellFormed(String token) {
    if (token.equals(EOS) || token.equals(NUM)) {
      return;
    }
    assertTrue(
        token.codePoints().anyMatch(Character::isLetter), () -> "token without a letter: " + token);
    assertTrue(
        token.codePoints().noneMatch(Character::isWhitespace),
        () -> "token with whitespace: " + token);
  }

  @Test
  void reTokenizingJoinedOutputIsIdentity() {
    List<String> texts =
        new ArrayList<>(
            List.of(
                "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be "
                    + "in want of a wife. Mr. Bennet said \"Yes!\" -- at 10 o'clock; 3.14% of 1,000 -- don\u2019t.",
                "Die Straße: Ölpreis 1.234,56 € — l'été? Привет… 東京 ΟΔΟΣ İstanbul",
                "a</s>b <num>x </s></s> end"));
    Random random = new Random(7);
    String alphabet = "aZ9é ß.,;!?'-\u2019\u2014\"<>/sn\u00ADµΣ\n\t東\uD800\uD83D\uDE00";
    for (int round = 0; round < 500; round++) {
      StringBuilder text = new StringBuilder();
      int n = random.nextInt(60);
      for (int i = 0; i < n; i++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      texts.add(text.toString());
    }
    for (String text : texts) {
      List<String> once = tokenizer.tokenize(text);
      List<String> twice = tokenizer.tokenize(String.join(" ", once));
      assertEquals(once, twice, () -> "not idempotent on: " + text);
    }
  }

  @Test
  void rejectsNonPositiveLimit() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Tokenizer(0));
    assertTrue(e.getMessage().contains("maxLineChars"), e.getMessage());
  }
}
