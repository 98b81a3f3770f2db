package io.streamvec.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A measurement, not a test: tokens/s of several models in one application, on one or more
 * instances (each app a JVM of its own) and a private in-process broker. Every model's text (its
 * own generated corpus) is produced keyed by the model's name first; then the instances start and
 * each model is timed from its first trained token to its last (metrics records every 200 ms).
 * Prints one line per model, the total, the peak RSS of each instance, and a JSON line.
 *
 * <pre>
 *   java -cp "streams-app/target/test-classes:streams-app/target/classes:streams-app/target/lib/*" \
 *     io.streamvec.app.ManyModelsThroughput MODELS INSTANCES TOKENS_PER_MODEL [--option ...] \
 *     [key=value ...]
 * </pre>
 *
 * MODELS = 0 runs one model the way a one-model app does (model.id, learner thread); otherwise key
 * routing over model.partitions=4 (every model learns on its task's stream thread). Options:
 *
 * <ul>
 *   <li>{@code --full}: each model's text is {@link CapacityText} instead of the template text, so
 *       its vocabulary, candidate table and n-gram table end up full (the memory bound of the model
 *       keys);
 *   <li>{@code --memory}: once every model has learned its last token (and, with the query side on,
 *       every instance serves each model's final snapshot), reads each instance's memory ({@link
 *       ProcessMemory}: live heap after a full GC, RSS, the JVM's native memory, state dir);
 *   <li>{@code --no-query}: instances without the query side (http.port=-1, the default here unless
 *       --memory), so the training side is measured alone;
 *   <li>{@code --heap=SIZE}: the instances' -Xmx (2g).
 * </ul>
 */
public final class ManyModelsThroughput {
  private static final String VECTOR_API = "--add-modules=jdk.incubator.vector";

  public static void main(String[] args) throws Exception {
    int models = Integer.parseInt(args[0]);
    int instances = Integer.parseInt(args[1]);
    long tokensPerModel = Long.parseLong(args[2]);
    List<String> options = new ArrayList<>();
    for (int i = 3; i < args.length; i++) if (args[i].startsWith("--")) options.add(args[i]);
    boolean full = options.remove("--full");
    boolean memory = options.remove("--memory");
    boolean query = memory && !options.remove("--no-query");
    String heap = "2g";
    for (String o : List.copyOf(options))
      if (o.startsWith("--heap=") && options.remove(o)) heap = o.substring("--heap=".length());
    if (!options.isEmpty()) throw new IllegalArgumentException("unknown options " + options);
    ObjectMapper json = new ObjectMapper();
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      Map<String, String> keys = new LinkedHashMap<>();
      keys.put(AppKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      if (!query) keys.put(AppKeys.HTTP_PORT, "-1");
      keys.put(AppKeys.METRICS_INTERVAL_MS, "200");
      List<String> names = new ArrayList<>();
      if (models == 0) names.add("default");
      else {
        for (int i = 0; i < models; i++) names.add("m" + i);
        keys.put(AppKeys.MODEL_ROUTING, "key");
        keys.put(AppKeys.MODELS, String.join(",", names));
        keys.put(AppKeys.MODEL_PARTITIONS, "4");
      }
      for (int i = 3; i < args.length; i++)
        if (!args[i].startsWith("--"))
          keys.put(
              args[i].substring(0, args[i].indexOf('=')),
              args[i].substring(args[i].indexOf('=') + 1));
      AppConfig config = AppConfig.of(keys);
      kafka.createTopic("text", 4, Map.of());
      Map<String, Long> totals = new TreeMap<>();
      try (KafkaProducer<byte[], byte[]> p = KafkaTestClients.producer(kafka.bootstrapServers())) {
        for (int m = 0; m < names.size(); m++) {
          List<String> text =
              full
                  ? CapacityText.lines(config.model(), tokensPerModel, 100 + m)
                  : TestTexts.generated(tokensPerModel, 100 + m);
          totals.put(names.get(m), TestTexts.tokenCount(config.model(), text));
          byte[] key = names.get(m).getBytes(StandardCharsets.UTF_8);
          for (String t : text)
            p.send(new ProducerRecord<>("text", key, t.getBytes(StandardCharsets.UTF_8)));
        }
      }
      List<AppProcess> apps = new ArrayList<>();
      Path work = Files.createTempDirectory("streamvec-models-bench-");
      for (int i = 0; i < instances; i++) {
        Map<String, String> own = new HashMap<>(keys);
        own.put(AppKeys.STATE_DIR, work.resolve("state-" + i).toString());
        apps.add(
            AppProcess.start(
                "app-" + i,
                own,
                heap,
                // as ./streamvec app runs it: the learner's SIMD kernels need the Vector API
                memory
                    ? List.of(VECTOR_API, "-XX:NativeMemoryTracking=summary")
                    : List.of(VECTOR_API),
                work.resolve("app-" + i + ".log")));
      }
      Map<String, long[]> times = new TreeMap<>(); // model -> {first ms, done ms}
      try (KafkaConsumer<byte[], byte[]> c = KafkaTestClients.consumer(kafka.bootstrapServers())) {
        long deadline = System.currentTimeMillis() + 900_000;
        while (times.values().stream().filter(t -> t[1] > 0).count() < names.size()) {
          if (System.currentTimeMillis() > deadline)
            throw new IllegalStateException("not done after 15 minutes: " + times.keySet());
          if (c.assignment().isEmpty()) {
            if (c.partitionsFor("metrics").isEmpty()) {
              Thread.sleep(200);
              continue;
            }
            c.assign(List.of(new TopicPartition("metrics", 0)));
            c.seekToBeginning(c.assignment());
          }
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            JsonNode m = json.readTree(r.value());
            String model = m.path("model_id").asText();
            long tokens = m.path("tokens").asLong();
            long[] t = times.computeIfAbsent(model, k -> new long[2]);
            if (t[0] == 0 && tokens > 0) t[0] = m.path("timestamp_ms").asLong();
            if (t[1] == 0 && tokens >= totals.getOrDefault(model, Long.MAX_VALUE))
              t[1] = m.path("timestamp_ms").asLong();
          }
        }
      }
      List<Long> rssMb = new ArrayList<>();
      for (AppProcess app : apps) rssMb.add(ProcessMemory.status(app.pid(), "VmHWM:") / 1024);
      List<Map<String, Object>> memories = new ArrayList<>();
      if (memory) {
        if (!query) Thread.sleep(15_000); // the final (idle) snapshots are out, buffers garbage
        for (int i = 0; i < apps.size(); i++) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("instance", apps.get(i).name());
          if (query) m.put("served", awaitServed(apps.get(i), totals, json));
          m.putAll(ProcessMemory.of(apps.get(i).pid(), work.resolve("state-" + i), 8));
          memories.add(m);
          System.out.println("memory: " + json.writeValueAsString(m));
        }
      }
      for (AppProcess app : apps) app.close();
      long first = Long.MAX_VALUE, last = 0, all = 0;
      Map<String, Object> perModel = new TreeMap<>();
      for (String model : names) {
        long[] t = times.get(model);
        double seconds = (t[1] - t[0]) / 1000.0;
        first = Math.min(first, t[0]);
        last = Math.max(last, t[1]);
        all += totals.get(model);
        double rate = totals.get(model) / seconds;
        perModel.put(model, Math.round(rate));
        System.out.printf(
            Locale.ROOT,
            "model %-8s %,10d tokens in %6.1f s = %,9.0f tokens/s%n",
            model,
            totals.get(model),
            seconds,
            rate);
      }
      double seconds = (last - first) / 1000.0;
      System.out.printf(
          Locale.ROOT,
          "total: %d model(s) on %d instance(s): %,d tokens in %.1f s = %,.0f tokens/s; peak RSS"
              + " per instance %s MB; load average %.1f%n",
          names.size(),
          instances,
          all,
          seconds,
          all / seconds,
          rssMb,
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("models", names.size());
      out.put("mode", models == 0 ? "one-model app" : "key routing");
      out.put("instances", instances);
      out.put("tokens", all);
      out.put("seconds", seconds);
      out.put("tokens_per_sec", Math.round(all / seconds));
      out.put("per_model_tokens_per_sec", perModel);
      out.put("rss_mb", rssMb);
      if (memory) {
        out.put("corpus", full ? "capacity" : "templates");
        out.put("query_side", query);
        out.put("heap", heap);
        out.put("memory", memories);
      }
      System.out.println(json.writeValueAsString(out));
    }
  }

  /**
   * Waits until app's /v1/models serves every model's snapshot of its last token (at most 2
   * minutes); returns what it serves, by model: tokens and vocabulary size.
   */
  private static Map<String, Object> awaitServed(
      AppProcess app, Map<String, Long> totals, ObjectMapper json) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI models = URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/models");
    long deadline = System.currentTimeMillis() + 120_000;
    while (true) {
      Map<String, Long> served = new TreeMap<>();
      Map<String, Long> vocab = new TreeMap<>();
      HttpResponse<String> r =
          http.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200)
        for (JsonNode m : json.readTree(r.body()).path("models")) {
          served.put(m.path("model").asText(), m.path("tokens").asLong());
          vocab.put(m.path("model").asText(), m.path("vocab_size").asLong());
        }
      if (totals.entrySet().stream()
          .allMatch(e -> served.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
        System.out.println(app.name() + " serves every final snapshot; vocab sizes " + vocab);
        return Map.of("tokens", served, "vocab_size", vocab);
      }
      if (System.currentTimeMillis() > deadline) {
        // measured all the same (each model's newest snapshot is as large), and said so
        System.out.println(
            "WARNING: after 2 minutes " + app.name() + " serves " + served + ", not " + totals);
        return Map.of("tokens", served, "vocab_size", vocab);
      }
      Thread.sleep(1000);
    }
  }
}
