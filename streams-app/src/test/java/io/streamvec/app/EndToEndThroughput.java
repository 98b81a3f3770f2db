package io.streamvec.app;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.model.text.Tokenizer;
import io.streamvec.trainer.TextSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A measurement, not a test: end-to-end tokens/s of the app through a real broker. Produces every
 * non-empty line of a text file (gzip works) with a plain producer, then starts the app and times
 * it from its first trained token until the model has learned every token of the file.
 *
 * <pre>
 *   servers=$(./streamvec broker start)
 *   java -cp "streams-app/target/test-classes:streams-app/target/classes:streams-app/target/lib/*" \
 *     io.streamvec.app.EndToEndThroughput $servers corpus.txt.gz [key=value ...]
 * </pre>
 *
 * Each run uses fresh topics and a fresh application id, so runs do not see each other's data.
 */
public final class EndToEndThroughput {
  /** CPU seconds of the live threads, grouped by name with digits and ids removed. */
  static Map<String, String> cpuByThread() {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Double> sum = new java.util.TreeMap<>();
    for (long id : threads.getAllThreadIds()) {
      var info = threads.getThreadInfo(id);
      long ns = threads.getThreadCpuTime(id);
      if (info == null || ns <= 0) continue;
      String group =
          info.getThreadName().replaceAll("e2e-[0-9a-f-]+", "").replaceAll("[0-9]+", "N");
      sum.merge(group, ns / 1e9, Double::sum);
    }
    Map<String, String> out = new LinkedHashMap<>();
    sum.entrySet().stream()
        .filter(e -> e.getValue() >= 0.05)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), String.format(Locale.ROOT, "%.2f", e.getValue())));
    return out;
  }

  public static void main(String[] args) throws Exception {
    String servers = args[0];
    Path file = Path.of(args[1]);
    String run = "e2e-" + System.currentTimeMillis();
    Map<String, String> keys =
        new LinkedHashMap<>(
            Map.of(
                AppKeys.BOOTSTRAP_SERVERS,
                servers,
                AppKeys.APPLICATION_ID,
                run,
                AppKeys.INPUT_TOPICS,
                run + "-text",
                AppKeys.SNAPSHOTS_TOPIC,
                run + "-snapshots",
                AppKeys.METRICS_TOPIC,
                run + "-metrics",
                AppKeys.DLQ_TOPIC,
                run + "-dlq",
                AppKeys.HTTP_PORT,
                "-1",
                AppKeys.METRICS_INTERVAL_MS,
                "200",
                AppKeys.STATE_DIR,
                Files.createTempDirectory("e2e-state").toString()));
    for (int i = 2; i < args.length; i++)
      keys.put(
          args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
    AppConfig config = AppConfig.of(keys);
    TopicSetup.ensure(config);

    List<String> lines = new ArrayList<>();
    try (TextSource src = new TextSource(file, config.model().maxLineChars)) {
      for (String l; (l = src.next()) != null; ) if (!l.isEmpty()) lines.add(l);
    }
    long total = 0;
    Tokenizer tokenizer = new Tokenizer(config.model().maxLineChars);
    for (String l : lines) total += tokenizer.tokenize(l).size();
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    p.put("linger.ms", 20);
    try (var producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String l : lines)
        producer.send(
            new ProducerRecord<>(
                config.get(AppKeys.INPUT_TOPICS), l.getBytes(StandardCharsets.UTF_8)));
    }
    System.err.printf(Locale.ROOT, "produced %,d records, %,d tokens%n", lines.size(), total);

    try (StreamvecApp app = StreamvecApp.start(config)) {
      var os =
          (com.sun.management.OperatingSystemMXBean)
              java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long first = 0, cpu0 = 0, t0 = System.nanoTime();
      while (true) {
        double tokens = app.status().latest().value("tokens");
        if (first == 0 && tokens > 0) {
          first = System.nanoTime();
          cpu0 = os.getProcessCpuTime();
        }
        if (tokens >= total) break;
        if (System.nanoTime() - t0 > 600e9)
          throw new IllegalStateException("not done after 10 minutes: " + tokens + " of " + total);
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - first) / 1e9,
          cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "end-to-end: %,d tokens in %.1f s = %,.0f tokens/s (from the first trained token; metrics every 200 ms); "
              + "app CPU %.1f s = %,.0f tokens per CPU-second; load average %.1f%n",
          total,
          seconds,
          total / seconds,
          cpu,
          total / cpu,
          os.getSystemLoadAverage());
      System.out.println(
          "CPU seconds by thread group since the start: "
              + cpuByThread()
              + ", JIT "
              + java.lang.management.ManagementFactory.getCompilationMXBean()
                      .getTotalCompilationTime()
                  / 1000.0
              + " s (wall), GC "
              + java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                      .mapToLong(b -> b.getCollectionTime())
                      .sum()
                  / 1000.0
              + " s (wall)");
    }
  }
}
