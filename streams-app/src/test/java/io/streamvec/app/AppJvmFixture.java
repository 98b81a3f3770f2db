package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.testing.AppProcess;
import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.testing.MetricsFollower;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the crash tests share: a real in-process broker, the app in a JVM of its own (no HTTP API)
 * with a state directory and a log file, and waits on the metrics it commits, each failing at once
 * with the app's log if the app died.
 */
abstract class AppJvmFixture {
  protected static final Duration WAIT = Duration.ofMinutes(3);
  protected EmbeddedKafkaBroker kafka;
  protected Path stateDir;
  protected Path logFile;
  protected AppProcess app;

  @BeforeEach
  void startBroker() throws Exception {
    kafka = EmbeddedKafkaBroker.start();
    String name = getClass().getSimpleName();
    stateDir = Files.createTempDirectory("streamvec-" + name + "-state-");
    logFile = Files.createTempFile("streamvec-" + name + "-app-", ".log");
  }

  @AfterEach
  void stopBroker() throws Exception {
    if (app != null) app.close();
    if (kafka != null) kafka.close();
    TestTexts.deleteTree(stateDir);
    Files.deleteIfExists(logFile);
  }

  /** Starts the app with these settings (HTTP off), heap and JVM options; the log is appended. */
  protected AppProcess startApp(Map<String, String> settings, String heap, List<String> jvmOptions)
      throws IOException {
    Map<String, String> m = new java.util.HashMap<>(settings);
    m.put(io.streamvec.app.config.AppKeys.HTTP_PORT, "-1");
    app = AppProcess.start(getClass().getSimpleName(), m, heap, jvmOptions, logFile);
    return app;
  }

  /** Waits until the app created topic. */
  protected void awaitTopic(String topic) {
    try (var admin = kafka.admin()) {
      Await.await(
          () -> "the app to create " + topic + ": " + app.logTail(4000),
          () -> {
            assertAlive();
            return admin.listTopics().names().get().contains(topic);
          },
          WAIT);
    }
  }

  /** Follows the metrics topic from its start once the app created it. */
  protected MetricsFollower followMetrics(String topic) {
    awaitTopic(topic);
    return new MetricsFollower(kafka.bootstrapServers(), topic);
  }

  /** Waits for the first metrics record of the instance just started: it runs. */
  protected void awaitNewLifetime(MetricsFollower metrics) throws InterruptedException {
    long before = metrics.received();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (metrics.received() == before) {
      assertAlive();
      assertTrue(System.nanoTime() < deadline, "no metrics from the app: " + app.logTail(4000));
      metrics.poll(Duration.ofMillis(50));
    }
  }

  /** Waits until the newest committed value of metrics field satisfies done. */
  protected void awaitMetric(MetricsFollower metrics, String field, LongPredicate done) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.test(metrics.latest(field))) {
      assertAlive();
      assertTrue(
          System.nanoTime() < deadline,
          field + " did not reach its mark within " + WAIT + "; last " + metrics.latest(field));
      metrics.poll(Duration.ofMillis(20));
    }
  }

  private void assertAlive() {
    assertTrue(app.isAlive(), "the app died on its own: " + app.logTail(4000));
  }
}
