package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.text.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The validator's own rules: what counts as binary, and that cutting big text into lines loses and
 * adds nothing.
 */
class RecordValidatorTest {

  private static List<String> tokensOf(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines) out.addAll(List.of(l.split(" ")));
    return out;
  }

  @Test
  void aBigRecordBecomesSeveralBoundedLinesWithExactlyTheTokenizersTokens() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; b.length() < 600_000; i++)
      b.append("The fox number ")
          .append(i % 97)
          .append(" ran far, ")
          .append("word")
          .append(i % 5000)
          .append(". ");
    String text = b.toString();
    RecordValidator v = new RecordValidator(2_000_000, 10_000_000);
    RecordValidator.Verdict verdict = v.check(text.getBytes(StandardCharsets.UTF_8));
    assertTrue(verdict.accepted());
    assertTrue(verdict.lines().size() >= 3, "lines: " + verdict.lines().size());
    for (String line : verdict.lines()) assertTrue(line.length() <= RecordValidator.MAX_LINE_CHARS);
    assertEquals(new Tokenizer(10_000_000).tokenize(text), tokensOf(verdict.lines()));
  }

  /**
   * The app learns a verdict's tokens as they are, and a restore learns its lines from the replay
   * log split at spaces: the two agree only if no token is empty or holds a space, whatever the
   * text (every kind of Unicode space, dash, mark and letter around them; text cut into pieces at
   * the tokenizer's limit; tokens cut at MAX_TOKEN_CHARS).
   */
  @Test
  void theTokensOfAVerdictAreTheSplitOfItsJoinedLinesOnAnyText() {
    String[] pieces = {
      " ",
      " ",
      "  ",
      "\t",
      "\n",
      "\u00A0",
      "\u2002",
      "\u2009",
      "\u200A",
      "\u3000",
      "\u1680",
      "\u202F",
      "\u2028",
      "\u0085",
      ".",
      "!",
      "?",
      "'",
      "\u2019",
      "-",
      "\u2014",
      "\u00AD",
      "\u200B",
      "\uFEFF",
      "</s>",
      "<num>",
      "1,000",
      "3.14",
      "the",
      "Mr.",
      "naïve",
      "café",
      "ß",
      "東京",
      "日本語",
      "\u0301",
      "e\u0301",
      "😀",
      "𝔘𝔫",
      "ж",
      "\u0660\u0661",
      "Ⅻ",
      "a".repeat(1_200),
      "$5",
      "50%"
    };
    Random r = new Random(20261202);
    for (int limit : new int[] {1_000_000, 37}) {
      RecordValidator v = new RecordValidator(1_000_000, limit);
      for (int i = 0; i < 3_000; i++) {
        StringBuilder b = new StringBuilder();
        for (int n = 1 + r.nextInt(60); n > 0; n--) b.append(pieces[r.nextInt(pieces.length)]);
        RecordValidator.Verdict verdict = v.check(b.toString().getBytes(StandardCharsets.UTF_8));
        if (!verdict.accepted()) continue;
        List<String> tokens = new ArrayList<>();
        for (String[] line : verdict.tokenLines()) tokens.addAll(List.of(line));
        for (String t : tokens)
          assertTrue(!t.isEmpty() && t.indexOf(' ') < 0, "token '" + t + "' of " + b);
        assertEquals(tokensOf(verdict.lines()), tokens, b.toString());
        if (limit > b.length()) {
          List<String> expected = new ArrayList<>();
          int max = RecordValidator.MAX_TOKEN_CHARS;
          for (String t : new Tokenizer(limit).tokenize(b))
            expected.add(
                t.length() <= max
                    ? t
                    : t.substring(0, Character.isHighSurrogate(t.charAt(max - 1)) ? max - 1 : max));
          assertEquals(expected, tokens, b.toString());
        }
      }
    }
  }

  @Test
  void textLongerThanTheTokenizersLimitIsTokenizedPieceByPieceNotTruncated() {
    String text = "alpha beta gamma delta ".repeat(100); // 2,300 chars
    RecordValidator v = new RecordValidator(1_000_000, 500);
    List<String> tokens = tokensOf(v.check(text.getBytes(StandardCharsets.UTF_8)).lines());
    long words = tokens.stream().filter(t -> !t.equals(Tokenizer.EOS)).count();
    assertEquals(400, words, "every word is kept");
    assertTrue(
        tokens.stream().allMatch(t -> t.matches("alpha|beta|gamma|delta|</s>")), tokens.toString());
  }

  @Test
  void giantWordsAreCutAndStillFit() {
    String text = "a".repeat(50_000) + " end";
    List<String> tokens =
        tokensOf(
            new RecordValidator(1_000_000, 1_000_000)
                .check(text.getBytes(StandardCharsets.UTF_8))
                .lines());
    assertEquals(
        List.of("a".repeat(RecordValidator.MAX_TOKEN_CHARS), "end", Tokenizer.EOS), tokens);
  }

  @Test
  void controlCharactersMakeTextBinaryOnlyWhenTheyAreManyAndPlainWhitespaceNever() {
    RecordValidator v = new RecordValidator(1_000_000, 1_000_000);
    assertTrue(
        v.check(
                "one stray \u001b escape in a long enough line of text"
                    .getBytes(StandardCharsets.UTF_8))
            .accepted());
    assertTrue(
        v.check("tabs\tand\nnew\r\nlines\fare text".getBytes(StandardCharsets.UTF_8)).accepted());
    assertEquals(
        DeadLetter.BINARY,
        v.check("ab\u0007\u0007\u0007cd".getBytes(StandardCharsets.UTF_8)).reason());
    assertEquals(
        DeadLetter.INVALID_UTF8,
        v.check(new byte[] {'o', 'k', (byte) 0xE2, (byte) 0x82}).reason(),
        "a truncated 3-byte sequence");
    assertEquals(
        DeadLetter.INVALID_UTF8,
        v.check(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}).reason(),
        "an encoded surrogate");
    assertTrue(v.check("naïve café – 東京 ".getBytes(StandardCharsets.UTF_8)).accepted());
  }
}
