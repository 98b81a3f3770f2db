package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/: Prometheus accepts its configs, and compose, Prometheus, Grafana and the app agree on
 * names, ports and paths.
 */
class DeployConfigTest {
  final Path deploy = DeployFiles.deployDir();
  final JsonNode compose = DeployFiles.yaml(deploy.resolve("docker-compose.yml"));

  @Test
  @Tag("integration")
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void promtoolAcceptsThePrometheusConfigs(@TempDir Path tmp) throws Exception {
    for (String f : List.of("prometheus/prometheus.yml", "prometheus/prometheus.local.yml")) {
      Promtool.Result r = Promtool.checkConfig(deploy.resolve(f));
      assertEquals(0, r.exitCode(), f + ":\n" + r.output());
    }
    Path broken = tmp.resolve("broken.yml");
    Files.writeString(broken, "scrape_configs:\n  - job_name: x\n    scrape_interval: soon\n");
    assertEquals(
        1,
        Promtool.checkConfig(broken).exitCode(),
        "promtool must reject a broken config, or this test proves nothing");
  }

  @Test
  void prometheusScrapesTheAppWhereComposeRunsIt() {
    AppConfig defaults = AppConfig.defaults();
    JsonNode app = compose.path("services").path("app");
    String port = app.path("environment").path("STREAMVEC_HTTP_PORT").asText();
    assertEquals(
        "0.0.0.0",
        app.path("environment").path("STREAMVEC_HTTP_HOST").asText(),
        "the app must listen beyond loopback in a container");
    assertTrue(
        app.path("ports").toString().contains("\"" + port + ":" + port + "\""),
        "app port published: " + app.path("ports"));
    Map<String, String> targets =
        Map.of(
            "prometheus/prometheus.yml",
            app.path("hostname").asText() + ":" + port,
            "prometheus/prometheus.local.yml",
            "127.0.0.1:" + defaults.get(AppKeys.HTTP_PORT));
    for (Map.Entry<String, String> e : targets.entrySet()) {
      JsonNode job = scrapeJob(DeployFiles.yaml(deploy.resolve(e.getKey())), PrometheusProcess.JOB);
      assertTrue(
          job.path("honor_labels").asBoolean(),
          e.getKey() + ": honor_labels keeps the app's instance label");
      assertEquals(
          defaults.get(AppKeys.METRICS_PATH), job.path("metrics_path").asText(), e.getKey());
      assertEquals(
          e.getValue(),
          job.path("static_configs").get(0).path("targets").get(0).asText(),
          e.getKey());
    }
  }

  @Test
  void composeImagesArePinnedAndMountsExist() {
    for (var it = compose.path("services").fields(); it.hasNext(); ) {
      var s = it.next();
      String image = s.getValue().path("image").asText();
      String tag = image.substring(image.lastIndexOf(':') + 1);
      assertTrue(
          image.contains(":") && tag.matches(".*\\d+\\.\\d+.*") && !tag.contains("latest"),
          s.getKey() + ": image not pinned: " + image);
      for (JsonNode v : s.getValue().path("volumes")) {
        String host = v.asText().split(":")[0];
        if (host.startsWith("."))
          assertTrue(Files.exists(deploy.resolve(host)), s.getKey() + " mounts missing " + host);
      }
    }
    String producer = compose.path("services").path("producer").path("command").toString();
    assertTrue(
        producer.contains("\"--loop\"")
            && producer.contains("\"--rate\"")
            && producer.contains("\"/corpus\""),
        producer);
    assertTrue(compose.path("services").path("app").path("command").toString().contains("\"app\""));
  }

  @Test
  void grafanaProvisioningPointsAtTheDashboardsAndPrometheus() {
    JsonNode grafana = compose.path("services").path("grafana");
    String dashboardsMount = mountTarget(grafana, "./grafana/dashboards");
    JsonNode provider =
        DeployFiles.yaml(deploy.resolve("grafana/provisioning/dashboards/dashboards.yml"))
            .path("providers")
            .get(0);
    assertEquals("file", provider.path("type").asText());
    assertEquals(
        dashboardsMount,
        provider.path("options").path("path").asText(),
        "provider path = where compose mounts the dashboards");
    assertEquals("/etc/grafana/provisioning", mountTarget(grafana, "./grafana/provisioning"));
    String home =
        grafana.path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
    assertTrue(
        home.startsWith(dashboardsMount + "/")
            && Files.exists(
                deploy
                    .resolve("grafana/dashboards")
                    .resolve(home.substring(dashboardsMount.length() + 1))),
        home);

    JsonNode ds =
        DeployFiles.yaml(deploy.resolve("grafana/provisioning/datasources/prometheus.yml"))
            .path("datasources")
            .get(0);
    assertEquals("prometheus", ds.path("type").asText());
    assertFalse(ds.path("uid").asText().isBlank());
    String promPort =
        compose.path("services").path("prometheus").path("ports").get(0).asText().split(":")[1];
    assertEquals("http://prometheus:" + promPort, ds.path("url").asText());
    String scrapeInterval =
        DeployFiles.yaml(deploy.resolve("prometheus/prometheus.yml"))
            .path("global")
            .path("scrape_interval")
            .asText();
    assertEquals(
        scrapeInterval,
        ds.path("jsonData").path("timeInterval").asText(),
        "Grafana's $__rate_interval needs the real scrape interval");
  }

  private static JsonNode scrapeJob(JsonNode prometheusYml, String job) {
    List<String> names = new ArrayList<>();
    for (JsonNode j : prometheusYml.path("scrape_configs")) {
      if (j.path("job_name").asText().equals(job)) return j;
      names.add(j.path("job_name").asText());
    }
    throw new AssertionError("no scrape job '" + job + "', only " + names);
  }

  private static String mountTarget(JsonNode service, String hostPath) {
    for (JsonNode v : service.path("volumes")) {
      String[] parts = v.asText().split(":");
      if (parts[0].equals(hostPath)) return parts[1];
    }
    throw new AssertionError("no volume for " + hostPath + " in " + service.path("volumes"));
  }
}
