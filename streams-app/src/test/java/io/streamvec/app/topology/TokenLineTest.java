package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * A token line's stored and sent form is exactly the joined line as the app wrote it before it
 * carried tokens: the JDK's UTF-8 of {@code String.join(" ", tokens)}, and Kafka's String serde.
 */
class TokenLineTest {
  /** Characters of every UTF-8 length, pairs and lone surrogates, ASCII most often. */
  private static final String[] PIECES = {
    "a", "z", "Q", "7", "'", "-", "é", "ß", "ж", "ñ", "東", "京", "\u0301", "\uFFFD", "😀", "𝔘",
    "\uD83D", "\uDE00", "\u07FF", "\u0800", "\uFFFF", "\u0080"
  };

  private static String[] randomTokens(Random r) {
    String[] tokens = new String[1 + r.nextInt(12)];
    for (int i = 0; i < tokens.length; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = 1 + r.nextInt(8); n > 0; n--)
        b.append(r.nextInt(3) > 0 ? PIECES[r.nextInt(4)] : PIECES[r.nextInt(PIECES.length)]);
      tokens[i] = b.toString();
    }
    return tokens;
  }

  @Test
  void itsBytesAreTheJoinedLinesUtf8AsTheJdkAndKafkaEncodeIt() {
    Random r = new Random(20261202);
    var kafka = Serdes.String().serializer();
    for (int i = 0; i < 20_000; i++) {
      TokenLine line = new TokenLine(randomTokens(r));
      String joined = String.join(" ", line.tokens());
      byte[] expected = joined.getBytes(StandardCharsets.UTF_8);
      assertTrue(expected.length <= line.maxUtf8Length(), joined);
      byte[] at = new byte[3 + line.maxUtf8Length()];
      int end = line.writeUtf8(at, 3, new char[line.maxTokenChars()]);
      assertArrayEquals(expected, Arrays.copyOfRange(at, 3, end), joined);
      assertArrayEquals(
          kafka.serialize("t", joined), TokenLine.SERDE.serializer().serialize("t", line));
    }
  }

  @Test
  void readBackItGivesTheSameTokensAsSplittingTheLine() {
    Random r = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      String[] tokens = randomTokens(r);
      // valid UTF-16 only: a lone surrogate is not text the validator makes (strict UTF-8 input)
      String joined = String.join(" ", tokens);
      if (!joined.equals(
          new String(joined.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))) continue;
      TokenLine back =
          TokenLine.SERDE.deserializer().deserialize("t", new TokenLine(tokens).utf8());
      assertArrayEquals(tokens, back.tokens());
      assertArrayEquals(joined.split(" "), back.tokens());
      assertEquals(joined, back.text());
    }
    assertEquals(0, TokenLine.parse("").size(), "an empty record value holds no token");
    assertNull(TokenLine.SERDE.deserializer().deserialize("t", null));
  }
}
