package io.streamvec.producer;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.producer.InputSources.Source;
import io.streamvec.producer.RecordReader.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./streamvec produce [options] FILE|DIR|-...}: sends text into the input topic, one record
 * per line (or paragraph, or document), keyed by the source's name, as raw bytes. Idempotent
 * producer (acks=all, no duplicates on retry), lz4 compression, 256 KiB batches. Exit codes: 0 ok,
 * 1 other failure, 2 usage, 3 missing input, 4 broker unreachable, 5 topic missing and not
 * creatable.
 */
public final class ProduceCommand {
  static final String NAME = "produce";
  static final String USAGE =
      """
      usage: ./streamvec produce [options] FILE|DIR|-...
        Sends text into the input topic (created if missing). FILE: plain or gzip (detected by its
        content); DIR: every file below it, recursively, in sorted path order (hidden files skipped);
        -: standard input. Record key: the file name (for a FILE), the path below DIR (for a DIR),
        or "stdin". Record value: the raw bytes of a line (or paragraph, or document).
      options:
        --topic NAME        topic to write to (default: the first of input.topics, i.e. text)
        --mode M            line (default; empty lines skipped, as kcat -P does), paragraph (blank-line
                            separated), or document (a whole file); records longer than max.record.bytes
                            are cut at a line break or space, so the app never rejects them as too large
        --rate N            at most N records per second (a steady stream; default: as fast as Kafka takes them)
        --loop              send the inputs again and again until stopped (Ctrl-C): a synthetic live stream
        --partitions N      partitions of the topic if it has to be created (default: input.partitions, 1)
        --key NAME          this record key for every record instead of the source's name: with
                            model.routing=key the key names the model that learns the text
        --no-progress       no progress line (it is shown only when stderr is a terminal anyway)
        --help              this text
      exit codes: 0 done, 1 failed, 2 bad usage, 3 input missing, 4 Kafka unreachable, 5 topic missing and not creatable
      """;

  record Options(
      String topic,
      Mode mode,
      double rate,
      boolean loop,
      Integer partitions,
      String key,
      boolean progress,
      List<String> inputs) {}

  private ProduceCommand() {}

  public static void main(String[] args) {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    // Ctrl-C / SIGTERM: stop reading, let run() flush what was sent and print its summary.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.set(true);
                  try {
                    finished.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "produce-shutdown"));
    int code = run(args, System.in, System.out, System.err, System.getenv(), stop);
    finished.countDown();
    if (!stop.get())
      System.exit(code); // in a shutdown System.exit would block; the JVM is exiting anyway
  }

  static int run(
      String[] args, InputStream stdin, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, stdin, out, err, env, new AtomicBoolean());
  }

  static int run(
      String[] args,
      InputStream stdin,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      AtomicBoolean stop) {
    try {
      List<String> rest = new ArrayList<>();
      AppConfig config = Cli.load(args, env, rest);
      if (rest.contains("--help") || rest.contains("-h")) {
        out.print(USAGE + Cli.CONFIG_HELP);
        return 0;
      }
      Options o = parse(rest, config);
      List<Source> sources =
          InputSources.expand(o.inputs()); // a missing file fails before any connection
      config = Cli.withBroker(config, env);
      return produce(config, o, sources, stdin, out, err, stop);
    } catch (CliFailure f) {
      return Cli.report(NAME, f, err);
    }
  }

  static Options parse(List<String> args, AppConfig config) throws CliFailure {
    String topic = config.getList(AppKeys.INPUT_TOPICS).get(0);
    Mode mode = Mode.LINE;
    double rate = 0;
    boolean loop = false, progress = true;
    Integer partitions = null;
    String key = null;
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--topic" -> topic = Cli.value(args, i++);
        case "--mode" -> {
          mode = Mode.parse(Cli.value(args, i++));
          if (mode == null)
            throw new CliFailure(
                CliFailure.USAGE,
                "--mode takes line, paragraph or document, got '" + args.get(i) + "'");
        }
        case "--rate" -> rate = rate(Cli.value(args, i++));
        case "--loop" -> loop = true;
        case "--partitions" -> partitions = Cli.positiveInt(a, Cli.value(args, i++), 100_000);
        case "--key" -> {
          key = Cli.value(args, i++);
          if (key.isEmpty()) throw new CliFailure(CliFailure.USAGE, "--key takes a non-empty name");
        }
        case "--no-progress" -> progress = false;
        default -> {
          if (a.startsWith("--")) throw new CliFailure(CliFailure.USAGE, "unknown option " + a);
          inputs.add(a);
        }
      }
    }
    if (!topic.matches("[A-Za-z0-9._-]{1,249}"))
      throw new CliFailure(
          CliFailure.USAGE, "--topic: '" + topic + "' is not a valid Kafka topic name");
    if (inputs.isEmpty())
      throw new CliFailure(
          CliFailure.USAGE, "name at least one input: a FILE, a DIR, or - for standard input");
    if (loop && inputs.contains(InputSources.STDIN))
      throw new CliFailure(
          CliFailure.USAGE, "--loop cannot repeat standard input; name files or directories");
    return new Options(topic, mode, rate, loop, partitions, key, progress, inputs);
  }

  private static double rate(String v) throws CliFailure {
    try {
      double r = Double.parseDouble(v.trim());
      if (r > 0 && r < 1e9) return r;
    } catch (NumberFormatException e) {
      // the message below says what is expected
    }
    throw new CliFailure(
        CliFailure.USAGE, "--rate takes records per second, a positive number, got '" + v + "'");
  }

  /** The producer settings: ours first, then whatever kafka.* keys the user set (they win). */
  static Properties producerProperties(AppConfig config) {
    Properties user = config.kafkaClientProperties();
    Properties p = new Properties();
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TopicAdmin.TIMEOUT.toMillis()));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "streamvec-produce");
    // a record of max.record.bytes plus its key must fit in one request
    p.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        String.valueOf(Math.max(1024 * 1024, config.getInt(AppKeys.MAX_RECORD_BYTES) + 64 * 1024)));
    p.putAll(user);
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
    long floor =
        Long.parseLong(p.getProperty(ProducerConfig.LINGER_MS_CONFIG))
            + Long.parseLong(p.getProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    p.putIfAbsent(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        String.valueOf(Math.max(TopicAdmin.TIMEOUT.toMillis(), floor)));
    return p;
  }

  private static int produce(
      AppConfig config,
      Options o,
      List<Source> sources,
      InputStream stdin,
      PrintStream out,
      PrintStream err,
      AtomicBoolean stop)
      throws CliFailure {
    Properties client = config.kafkaClientProperties();
    String servers = config.bootstrapServers();
    int partitions =
        o.partitions() != null ? o.partitions() : config.getInt(AppKeys.INPUT_PARTITIONS);
    // the same min.insync.replicas as the app gives the topics it creates (0 = the broker's)
    int minInsync = config.getInt(AppKeys.MIN_INSYNC_REPLICAS);
    Map<String, String> topicConfigs =
        minInsync > 0 ? Map.of("min.insync.replicas", String.valueOf(minInsync)) : Map.of();
    if (TopicAdmin.ensureTopic(
        client,
        o.topic(),
        partitions,
        (short) config.getInt(AppKeys.REPLICATION_FACTOR),
        topicConfigs)) {
      err.println(
          "produce: created topic '"
              + o.topic()
              + "' ("
              + partitions
              + " partition"
              + (partitions == 1 ? "" : "s")
              + ")");
    }
    long total = o.loop() ? -1 : 0;
    for (Source s : sources)
      total = s.isStdin() || s.size() < 0 || total < 0 ? -1 : total + s.size();
    ProgressLine progress = new ProgressLine(err, o.progress() && ProgressLine.terminal(), total);
    TokenBucket bucket = o.rate() > 0 ? new TokenBucket(o.rate()) : null;
    AtomicReference<Exception> sendError = new AtomicReference<>();
    AtomicLong acked = new AtomicLong(), ackedBytes = new AtomicLong();
    int maxBytes = config.getInt(AppKeys.MAX_RECORD_BYTES);
    long t0 = System.nanoTime(), doneBytes = 0;
    KafkaProducer<String, byte[]> producer;
    try {
      producer =
          new KafkaProducer<>(
              producerProperties(config), new StringSerializer(), new ByteArraySerializer());
    } catch (KafkaException e) {
      throw new CliFailure(CliFailure.USAGE, "invalid Kafka client settings: " + e.getMessage());
    }
    try {
      sending:
      do {
        for (Source s : sources) {
          try (RecordReader reader = new RecordReader(s.open(stdin), o.mode(), maxBytes)) {
            for (byte[] value = reader.next(); value != null; value = reader.next()) {
              if (stop.get() || sendError.get() != null) break sending;
              if (bucket != null && !bucket.acquire(stop::get)) break sending;
              int size = value.length;
              producer.send(
                  new ProducerRecord<>(o.topic(), o.key() != null ? o.key() : s.key(), value),
                  (meta, e) -> {
                    if (e != null) sendError.compareAndSet(null, e);
                    else {
                      acked.incrementAndGet();
                      ackedBytes.addAndGet(size);
                    }
                  });
              progress.update(doneBytes + reader.bytesRead(), acked.get());
            }
            doneBytes += reader.bytesRead();
          } catch (IOException e) {
            sendError.compareAndSet(
                null,
                new IOException(
                    "reading "
                        + (s.isStdin() ? "standard input" : s.file())
                        + ": "
                        + e.getMessage(),
                    e));
            break sending;
          }
        }
      } while (o.loop() && !stop.get());
      producer.flush();
    } catch (TimeoutException e) {
      sendError.compareAndSet(null, e); // send() found no metadata within max.block.ms
    } catch (KafkaException e) {
      sendError.compareAndSet(null, e);
    } finally {
      producer.close(Duration.ofSeconds(15));
      progress.done();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    out.printf(
        Locale.ROOT,
        "produce: %,d records, %,d bytes, %.1f s (%,.0f records/s) to topic '%s' at %s%n",
        acked.get(),
        ackedBytes.get(),
        seconds,
        acked.get() / Math.max(seconds, 1e-9),
        o.topic(),
        servers);
    Exception e = sendError.get();
    if (e instanceof IOException) throw new CliFailure(CliFailure.FAILED, e.getMessage(), e);
    if (e instanceof TimeoutException)
      throw new CliFailure(
          CliFailure.BROKER_UNREACHABLE,
          "Kafka at "
              + servers
              + " stopped answering ("
              + e.getMessage()
              + "); records not acknowledged were not sent",
          e);
    if (e != null)
      throw new CliFailure(
          CliFailure.FAILED, "sending to topic '" + o.topic() + "' failed: " + e.getMessage(), e);
    return 0;
  }
}
