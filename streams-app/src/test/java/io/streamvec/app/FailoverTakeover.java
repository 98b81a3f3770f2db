package io.streamvec.app;

import io.streamvec.app.config.AppKeys;
import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.testing.LiveStream;
import io.streamvec.trainer.TextSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A measurement, not a test: takeover time after a SIGKILL, with and without a standby. Two
 * instances (separate JVMs) train on a steady, rate-limited stream from a real broker (in this
 * JVM); once the model has learned some tokens, the instance training it is killed, and the
 * takeover time is the time from the kill to the first metrics record the survivor commits (it
 * reports every metrics.interval.ms = 200 ms once it trains again). Prints one line per run and a
 * summary per setting.
 *
 * <pre>
 *   mvn -q -pl streams-app -am test-compile dependency:build-classpath \
 *     -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp "streams-app/target/test-classes:streams-app/target/classes:$(cat /tmp/cp.txt)" \
 *     io.streamvec.app.FailoverTakeover deploy/corpus/kjv.txt.gz 3 [key=value ...]
 * </pre>
 *
 * Arguments: a text file (plain or gzip), runs per setting, then app settings for every run. The
 * settings compared: standby.replicas=1 and 0 with the app's defaults, and standby.replicas=1 with
 * Kafka's own defaults (session.timeout.ms 45000, heartbeat.interval.ms 3000).
 */
public final class FailoverTakeover {
  public static void main(String[] args) throws Exception {
    List<String> texts = new ArrayList<>();
    try (TextSource source = new TextSource(Path.of(args[0]), 1_000_000)) {
      for (String line; (line = source.next()) != null; ) if (!line.isBlank()) texts.add(line);
    }
    int runs = Integer.parseInt(args[1]);
    Map<String, String> common = new HashMap<>();
    // a checkpoint early, so the kill lands after one (the restore is a checkpoint plus a replay)
    common.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, "2000");
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      common.put(kv[0], kv[1]);
    }
    Map<String, Map<String, String>> settings = new java.util.LinkedHashMap<>();
    settings.put("standby.replicas=1", Map.of(AppKeys.STANDBY_REPLICAS, "1"));
    settings.put("standby.replicas=0", Map.of(AppKeys.STANDBY_REPLICAS, "0"));
    settings.put(
        "standby.replicas=1, Kafka's session/heartbeat defaults",
        Map.of(
            AppKeys.STANDBY_REPLICAS,
            "1",
            AppKeys.SESSION_TIMEOUT_MS,
            "45000",
            AppKeys.HEARTBEAT_INTERVAL_MS,
            "3000"));
    Map<String, List<Double>> results = new java.util.LinkedHashMap<>();
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      int id = 0;
      for (int run = 0; run < runs; run++)
        for (var e : settings.entrySet()) {
          Map<String, String> m = new HashMap<>(common);
          m.putAll(e.getValue());
          double s = takeover(kafka, "takeover" + id++, m, texts);
          results.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(s);
          System.out.printf(Locale.ROOT, "run %d, %s: takeover %.1f s%n", run, e.getKey(), s);
        }
    }
    for (var e : results.entrySet()) {
      List<Double> v = e.getValue();
      System.out.printf(
          Locale.ROOT,
          "%-55s runs %d  median %.1f s  min %.1f s  max %.1f s%n",
          e.getKey(),
          v.size(),
          v.stream().sorted().toList().get(v.size() / 2),
          v.stream().mapToDouble(d -> d).min().orElse(0),
          v.stream().mapToDouble(d -> d).max().orElse(0));
    }
  }

  /** One run: two fresh instances, a steady stream, the owner killed; seconds to takeover. */
  static double takeover(
      EmbeddedKafkaBroker kafka, String app, Map<String, String> settings, List<String> texts)
      throws Exception {
    try (TwoInstances apps = new TwoInstances(kafka.bootstrapServers(), app, settings)) {
      kafka.createTopic(apps.topic(AppKeys.INPUT_TOPICS), 1, Map.of());
      apps.awaitHealthy();
      try (LiveStream stream =
          new LiveStream(kafka.bootstrapServers(), apps.topic(AppKeys.INPUT_TOPICS), texts, 300)) {
        AppProcess owner = apps.awaitOwner(150_000);
        long killedAt = System.currentTimeMillis();
        owner.kill();
        return apps.awaitTakeoverMs(killedAt) / 1000.0;
      }
    }
  }
}
