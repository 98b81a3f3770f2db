package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.testing.ProcessRunner;
import io.streamvec.producer.TestKafka.Rec;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party client, kcat (Debian package kcat, installed by .ci/run), pipes the same file into
 * Kafka as our producer: the records are identical, byte for byte, so the app sees the same input
 * whichever client wrote it.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KcatCompatibilityTest {
  static final Path CORPUS = Path.of("../deploy/corpus/kjv.txt.gz");
  @TempDir Path dir;

  @Test
  void kcatAndProduceSendTheSameRecords() throws Exception {
    Path kcat = Path.of("/usr/bin/kcat");
    assertTrue(
        Files.isExecutable(kcat),
        "kcat is missing: apt-get install kcat (the test suite's Debian packages are in deploy/lib.sh)");
    // the demo corpus, plus the awkward cases: CRLF, blank and whitespace-only lines, invalid
    // UTF-8, no final newline
    Path file = dir.resolve("kjv.txt");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(CORPUS))) {
      Files.write(file, in.readAllBytes());
    }
    Files.write(
        file,
        new byte[] {
          'c',
          'r',
          'l',
          'f',
          '\r',
          '\n',
          '\n',
          ' ',
          ' ',
          '\n',
          (byte) 0xC3,
          (byte) 0x28,
          '\n',
          'e',
          'n',
          'd'
        },
        java.nio.file.StandardOpenOption.APPEND);
    TestKafka.broker().createTopic("kcat-in", 1, java.util.Map.of());

    ProcessRunner.Result kcatRun =
        ProcessRunner.command(
                kcat.toString(), "-P", "-b", TestKafka.servers(), "-t", "kcat-in", "-k", "kjv.txt")
            .stdin(file)
            .run(Duration.ofSeconds(60));
    assertEquals(0, kcatRun.exitCode(), kcatRun.tail());

    ProduceCommandTest.Run r =
        ProduceCommandTest.produce(
            new ByteArrayInputStream(new byte[0]),
            "--bootstrap-servers",
            TestKafka.servers(),
            "--topic",
            "produce-in",
            "--no-progress",
            file.toString());
    assertEquals(0, r.code(), r.err());

    List<Rec> fromKcat = TestKafka.readAll("kcat-in"), ours = TestKafka.readAll("produce-in");
    assertEquals(
        31_102 + 4, ours.size(), "every verse of the KJV plus the 4 non-empty extra lines");
    assertEquals(fromKcat.size(), ours.size());
    for (int i = 0; i < ours.size(); i++) assertEquals(fromKcat.get(i), ours.get(i), "record " + i);
  }
}
