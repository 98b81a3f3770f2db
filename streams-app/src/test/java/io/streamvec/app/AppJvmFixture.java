package io.streamvec.app;

import io.streamvec.app.testing.Await;
import io.streamvec.app.testing.EmbeddedKafkaBroker;
import io.streamvec.app.testing.MetricsFollower;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the crash tests share: a real in-process broker, and a state directory and a log file for
 * the app JVM each test starts (a subclass closes its app in its own {@code @AfterEach}, which
 * JUnit runs before this one).
 */
abstract class AppJvmFixture {
  protected EmbeddedKafkaBroker kafka;
  protected Path stateDir;
  protected Path logFile;

  @BeforeEach
  void startBroker() throws Exception {
    kafka = EmbeddedKafkaBroker.start();
    String name = getClass().getSimpleName();
    stateDir = Files.createTempDirectory("streamvec-" + name + "-state-");
    logFile = Files.createTempFile("streamvec-" + name + "-app-", ".log");
  }

  @AfterEach
  void stopBroker() throws Exception {
    if (kafka != null) kafka.close();
    TestTexts.deleteTree(stateDir);
    Files.deleteIfExists(logFile);
  }

  /**
   * Follows the metrics topic from its start once the app (alive while appAlive holds) created it;
   * appLog tells what happened when it did not.
   */
  protected MetricsFollower followMetrics(
      String topic, BooleanSupplier appAlive, Supplier<String> appLog, Duration wait) {
    Await.await(
        appLog,
        () -> {
          if (!appAlive.getAsBoolean()) throw new AssertionError("the app died: " + appLog.get());
          try (var admin = kafka.admin()) {
            return admin.listTopics().names().get().contains(topic);
          }
        },
        wait);
    return new MetricsFollower(kafka.bootstrapServers(), topic);
  }
}
