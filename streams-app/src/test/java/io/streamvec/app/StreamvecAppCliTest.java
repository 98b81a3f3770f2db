package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import io.streamvec.app.config.LocalBroker;
import io.streamvec.app.testing.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The command line: help, config printing, clear errors, bounded failure when Kafka is not there.
 */
class StreamvecAppCliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(),
      err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return StreamvecApp.run(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpListsEveryKeyWithItsDefault() {
    assertEquals(0, run(Map.of(), "--help"));
    for (AppKeys.Key k : AppKeys.KEYS) assertTrue(out().contains(k.name()), k.name());
    assertTrue(out().contains("--print-config") && out().contains("dim"), out());
  }

  @Test
  void printConfigShowsTheMergedSettingsWithSecretsMasked() {
    assertEquals(
        0,
        run(
            Map.of("STREAMVEC_DIM", "42"),
            "--set",
            "input.topics=a,b",
            "--set",
            "kafka.sasl.jaas.config=secret-stuff",
            "--print-config"));
    assertTrue(out().contains("input.topics=a,b\n"), out());
    assertTrue(out().contains("dim=42\n"), "the environment is read: " + out());
    assertTrue(
        out().contains("kafka.sasl.jaas.config=******") && !out().contains("secret-stuff"), out());
  }

  @Test
  void badSettingsAndArgumentsFailWithTheirNameAndExitCode2() {
    assertEquals(2, run(Map.of(), "--set", "snapshot.interval.tokens=lots"));
    assertTrue(err().contains("snapshot.interval.tokens") && err().contains("lots"), err());
    assertEquals(2, run(Map.of(), "--frobnicate"));
    assertTrue(err().contains("--frobnicate"), err());
  }

  @Test
  void atLeastOnceIsRefusedWithTheReasonAndWhatToUseInstead() {
    assertEquals(2, run(Map.of(), "--set", "processing.guarantee=at_least_once"));
    assertTrue(
        err().contains("processing.guarantee")
            && err().contains("learned twice")
            && err().contains("Use exactly_once_v2"),
        err());
    assertEquals(
        "exactly_once_v2",
        AppConfig.of(Map.of(AppKeys.PROCESSING_GUARANTEE, "exactly_once_v2"))
            .get(AppKeys.PROCESSING_GUARANTEE));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> AppConfig.of(Map.of(AppKeys.PROCESSING_GUARANTEE, "exactly_once")));
    assertTrue(e.getMessage().contains("must be exactly_once_v2"), e.getMessage());
  }

  @Test
  void anUnreachableBrokerFailsTheStartWithinTheTimeoutWithAClearMessage() {
    int port = FreePorts.one(); // nobody listens there
    AppConfig c = AppConfig.of(Map.of(AppKeys.BOOTSTRAP_SERVERS, "127.0.0.1:" + port));
    long t0 = System.nanoTime();
    StartupException e =
        assertThrows(StartupException.class, () -> TopicSetup.ensure(c, Duration.ofSeconds(3)));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < 10, "took " + seconds + " s");
    assertTrue(e.getMessage().contains("cannot reach Kafka at 127.0.0.1:" + port), e.getMessage());
  }

  @Test
  void theLocalBrokerIsOnlyAFallback() {
    AppConfig given = AppConfig.of(Map.of(AppKeys.BOOTSTRAP_SERVERS, "kafka.example:9092"));
    assertSame(
        given, LocalBroker.orLocalBroker(given, Map.of()), "a configured broker is used as it is");
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> LocalBroker.orLocalBroker(AppConfig.defaults(), Map.of()));
    assertTrue(
        e.getMessage().contains("bootstrap.servers") && e.getMessage().contains("STREAMVEC_ROOT"),
        e.getMessage());
  }
}
