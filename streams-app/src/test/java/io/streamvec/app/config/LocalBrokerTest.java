package io.streamvec.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.TestTexts;
import io.streamvec.app.testing.FreePorts;
import io.streamvec.app.testing.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without bootstrap.servers the app starts and uses the real local broker script (on free ports and
 * a temporary home).
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LocalBrokerTest {

  @Test
  void aConfigWithoutBootstrapServersGetsTheStartedLocalBroker() throws Exception {
    Path home = Files.createTempDirectory("streamvec-home-");
    int[] ports = FreePorts.several(2);
    int port = ports[0];
    int controller = ports[1];
    Map<String, String> env =
        Map.of(
            "STREAMVEC_ROOT",
            repoRoot().toString(),
            "STREAMVEC_HOME",
            home.toString(),
            "STREAMVEC_BROKER_PORT",
            String.valueOf(port),
            "STREAMVEC_CONTROLLER_PORT",
            String.valueOf(controller));
    try {
      AppConfig c = LocalBroker.orLocalBroker(AppConfig.defaults(), env);
      assertEquals("127.0.0.1:" + port, c.bootstrapServers());
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers()))) {
        assertTrue(
            !admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).isEmpty(),
            "a broker answers");
      }
      assertEquals(
          c.bootstrapServers(),
          LocalBroker.ensureRunning(env, Duration.ofSeconds(60)),
          "a second call finds the running broker");
    } finally {
      // this test's home and ports, never a developer's broker
      ProcessRunner.Result stop =
          ProcessRunner.command("bash", repoRoot().resolve("deploy/broker.sh").toString(), "stop")
              .env(env)
              .run(Duration.ofSeconds(60));
      assertEquals(0, stop.exitCode(), stop.tail());
      TestTexts.deleteTree(home);
    }
  }

  private static Path repoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("deploy/broker.sh"))) return dir;
    }
    throw new IllegalStateException(
        "deploy/broker.sh not found above " + Path.of("").toAbsolutePath());
  }
}
