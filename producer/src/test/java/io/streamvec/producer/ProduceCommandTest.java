package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.testing.FreePorts;
import io.streamvec.producer.TestKafka.Rec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./streamvec produce against a real broker: exact records and keys, failures with the right exit
 * code.
 */
class ProduceCommandTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run produce(InputStream stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int code =
        ProduceCommand.run(
            args,
            stdin,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            TestKafka.noEnv());
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static InputStream noStdin() {
    return new ByteArrayInputStream(new byte[0]);
  }

  /** Lines of numbered text, so every record is distinguishable. */
  static String lines(String prefix, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++)
      b.append(prefix).append(" line ").append(i).append(i % 7 == 0 ? "\n\n" : "\n");
    return b.toString();
  }

  static void gzip(Path file, String text) throws IOException {
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(file))) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  static List<Rec> expected(String key, String text) {
    List<Rec> out = new ArrayList<>();
    for (String l : text.split("\n"))
      if (!l.isEmpty()) out.add(new Rec(key, l.getBytes(StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  @Tag("integration")
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void directoryAndStdinArriveWithExactRecordsAndKeys() throws IOException {
    Path corpus = dir.resolve("corpus");
    Files.createDirectories(corpus.resolve("nested/deeper"));
    String a = lines("alpha", 120),
        b = lines("beta", 80),
        c = lines("gamma", 50),
        s = lines("stdin", 30) + "no newline at the end";
    Files.writeString(corpus.resolve("a.txt"), a);
    gzip(corpus.resolve("nested/b.txt.gz"), b);
    Files.writeString(corpus.resolve("nested/deeper/c.txt"), c);
    Files.writeString(corpus.resolve(".hidden.txt"), "never sent\n");

    Run r =
        produce(
            new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)),
            "--bootstrap-servers",
            TestKafka.servers(),
            "--topic",
            "produce-dir",
            "--no-progress",
            corpus.toString(),
            "-");
    assertEquals(0, r.code(), r.err());

    List<Rec> want = new ArrayList<>();
    want.addAll(expected("a.txt", a));
    want.addAll(expected("nested/b.txt.gz", b));
    want.addAll(expected("nested/deeper/c.txt", c));
    want.addAll(expected("stdin", s));
    assertEquals(120 + 80 + 50 + 31, want.size());
    assertEquals(
        want, TestKafka.readAll("produce-dir"), "same records, keys and order (one partition)");
    assertTrue(r.out().startsWith("produce: " + want.size() + " records"), r.out());
    assertTrue(r.err().contains("created topic 'produce-dir' (1 partition)"), r.err());
  }

  @Test
  @Tag("integration")
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void paragraphModeAndPartitionsOfANewTopic() throws Exception {
    Path f = Files.writeString(dir.resolve("p.txt"), "one\ntwo\n\nthree\n\n\nfour\n");
    Run r =
        produce(
            noStdin(),
            "--bootstrap-servers",
            TestKafka.servers(),
            "--topic",
            "produce-para",
            "--mode",
            "paragraph",
            "--partitions",
            "3",
            "--key",
            "news",
            "--set",
            "min.insync.replicas=1",
            "--no-progress",
            f.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(3, TestKafka.partitions("produce-para"));
    // set on the topic itself (as the app does for its topics), not the broker's default
    try (var admin = TestKafka.broker().admin()) {
      var resource =
          new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "produce-para");
      var entry =
          admin
              .describeConfigs(List.of(resource))
              .all()
              .get()
              .get(resource)
              .get("min.insync.replicas");
      assertEquals("1", entry.value());
      assertEquals(
          org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG,
          entry.source());
    }
    // one key (--key), so the default partitioner puts every record in one partition, in order
    assertEquals(
        List.of("one\ntwo", "three", "four"),
        TestKafka.readAll("produce-para").stream().map(Rec::text).toList());
    assertEquals(
        List.of("news", "news", "news"),
        TestKafka.readAll("produce-para").stream().map(Rec::key).toList());
  }

  @Test
  @Tag("integration")
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void rateLimitsAndLoopRepeatsUntilStopped() throws Exception {
    Path f = Files.writeString(dir.resolve("loop.txt"), "first\nsecond\nthird\n");
    AtomicBoolean stop = new AtomicBoolean();
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int[] code = new int[1];
    Thread t =
        new Thread(
            () ->
                code[0] =
                    ProduceCommand.run(
                        new String[] {
                          "--bootstrap-servers",
                          TestKafka.servers(),
                          "--topic",
                          "produce-loop",
                          "--rate",
                          "200",
                          "--loop",
                          "--no-progress",
                          f.toString()
                        },
                        noStdin(),
                        new PrintStream(out),
                        new PrintStream(err),
                        TestKafka.noEnv(),
                        stop));
    t.start();
    Thread.sleep(1500);
    stop.set(true);
    t.join(30_000);
    assertEquals(0, code[0], err.toString());
    List<String> got = TestKafka.readAll("produce-loop").stream().map(Rec::text).toList();
    // ~1.5 s at 200/s (+ a burst of 20, + connection time before the first record): 3..~320 records
    assertTrue(
        got.size() > 6 && got.size() <= 340, "records sent in 1.5 s at 200/s: " + got.size());
    for (int i = 0; i < got.size(); i++)
      assertEquals(List.of("first", "second", "third").get(i % 3), got.get(i), "record " + i);
  }

  @Test
  void missingInputFailsWithExitCode3BeforeConnecting() {
    Run r =
        produce(
            noStdin(),
            "--bootstrap-servers",
            "127.0.0.1:" + FreePorts.one(),
            dir.resolve("nope.txt").toString());
    assertEquals(CliFailure.MISSING_INPUT, r.code());
    assertTrue(
        r.err().contains("no such file or directory: ") && r.err().contains("nope.txt"), r.err());
  }

  @Test
  void unreachableBrokerFailsFastWithExitCode4() throws IOException {
    Path f = Files.writeString(dir.resolve("x.txt"), "hello\n");
    long t0 = System.nanoTime();
    Run r = produce(noStdin(), "--bootstrap-servers", "127.0.0.1:" + FreePorts.one(), f.toString());
    double s = (System.nanoTime() - t0) / 1e9;
    assertEquals(CliFailure.BROKER_UNREACHABLE, r.code(), r.err());
    assertTrue(
        r.err().contains("cannot reach Kafka at 127.0.0.1:")
            && r.err().contains("is the broker running?"),
        r.err());
    assertTrue(s < 25, "gave up after " + s + " s");
  }

  @Test
  @Tag("integration")
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void topicThatCannotBeCreatedFailsWithExitCode5() throws IOException {
    Path f = Files.writeString(dir.resolve("x.txt"), "hello\n");
    // a single broker cannot hold 3 replicas
    Run r =
        produce(
            noStdin(),
            "--bootstrap-servers",
            TestKafka.servers(),
            "--set",
            "replication.factor=3",
            "--topic",
            "produce-rf3",
            f.toString());
    assertEquals(CliFailure.TOPIC_UNAVAILABLE, r.code(), r.err());
    assertTrue(
        r.err().contains("topic 'produce-rf3' does not exist and cannot be created"), r.err());
  }

  @Test
  void badUsageIsExitCode2() {
    assertEquals(CliFailure.USAGE, produce(noStdin(), "--mode", "sentence", "x").code());
    assertEquals(CliFailure.USAGE, produce(noStdin(), "--loop", "-").code());
    assertEquals(CliFailure.USAGE, produce(noStdin()).code());
    assertEquals(CliFailure.USAGE, produce(noStdin(), "--key", "", "x").code());
    assertEquals(CliFailure.USAGE, produce(noStdin(), "--set", "nonsense.key=1", "x").code());
    Run help = produce(noStdin(), "--help");
    assertEquals(0, help.code());
    assertTrue(
        help.out().contains("usage: ./streamvec produce")
            && help.out().contains("--bootstrap-servers"));
  }
}
