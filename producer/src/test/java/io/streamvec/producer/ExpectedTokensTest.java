package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The e2e bench's token count: lines as produce sends them, minus what the app dead-letters. */
class ExpectedTokensTest {
  @TempDir Path dir;

  @Test
  void countsTheTokensOfEveryLineTheAppAcceptsAndTheLinesItRefuses() throws Exception {
    Path f = dir.resolve("t.txt");
    // empty line: not sent; control character: dead letter (binary); "!!!": dead letter (no tokens)
    Files.writeString(
        f,
        "The tiger sleeps.\n\n\u0001\u0002\u0003 ab\n!!!\nIt's 3 o'clock, isn't it?\n",
        StandardCharsets.UTF_8);
    ExpectedTokens.Count c = ExpectedTokens.count(f);
    assertEquals(4, c.records());
    assertEquals(2, c.deadLetters());
    io.streamvec.model.text.Tokenizer tokenizer = new io.streamvec.model.text.Tokenizer(1_000_000);
    java.util.List<String> tokens = new java.util.ArrayList<>();
    long expected = 0;
    for (String line : new String[] {"The tiger sleeps.", "It's 3 o'clock, isn't it?"}) {
      tokens.clear();
      tokenizer.tokenize(line, tokens);
      expected += tokens.size();
    }
    assertEquals(expected, c.tokens(), "the raw trainer's tokenizer on the accepted lines");
  }
}
