package io.streamvec.producer;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.topology.RecordValidator;
import io.streamvec.producer.RecordReader.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * For bench/e2e.sh: how many tokens the app will train on when FILE is produced in line mode, and
 * how many records it will dead-letter. Cuts the file exactly as {@code ./streamvec produce} does
 * (RecordReader) and judges every record with the app's own RecordValidator, so the count equals
 * the raw trainer's on a clean text and differs only by the dead letters (e.g. lines with control
 * characters, which the app refuses as binary and the raw trainer reads).
 *
 * <pre>
 *   java -cp ... io.streamvec.producer.ExpectedTokens FILE   -> {"records":..,"dead_letters":..,"tokens":..}
 * </pre>
 */
public final class ExpectedTokens {
  private ExpectedTokens() {}

  /**
   * records = what produce would send, deadLetters = those the app refuses, tokens = what it trains
   * on.
   */
  record Count(long records, long deadLetters, long tokens) {}

  static Count count(Path file) throws IOException {
    AppConfig config = AppConfig.of(Map.of());
    int maxBytes = config.getInt(AppKeys.MAX_RECORD_BYTES);
    RecordValidator validator = new RecordValidator(maxBytes, config.model().maxLineChars);
    long records = 0, dead = 0, tokens = 0;
    try (InputStream in = Files.newInputStream(file);
        RecordReader reader = new RecordReader(in, Mode.LINE, maxBytes)) {
      for (byte[] value = reader.next(); value != null; value = reader.next()) {
        records++;
        RecordValidator.Verdict v = validator.check(value);
        if (!v.accepted()) {
          dead++;
          continue;
        }
        for (String line : v.lines())
          tokens += line.split(" ").length; // the trainer's own split of a token line
      }
    }
    return new Count(records, dead, tokens);
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ExpectedTokens FILE (plain or gzip)");
      System.exit(2);
    }
    Count c = count(Path.of(args[0]));
    System.out.printf(
        "{\"records\":%d,\"dead_letters\":%d,\"tokens\":%d}%n",
        c.records(), c.deadLetters(), c.tokens());
  }
}
