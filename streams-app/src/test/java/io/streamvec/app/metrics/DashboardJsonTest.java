package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The dashboards are well-formed Grafana JSON that follows the $model and $instance variables. */
class DashboardJsonTest {
  static final List<String> DASHBOARDS = DeployFiles.DASHBOARDS;

  @ParameterizedTest
  @FieldSource("DASHBOARDS")
  void hasAStableUidTitleAndTemplating(String name) {
    JsonNode d = DeployFiles.json(DeployFiles.dashboard(name));
    assertEquals(
        name.replace(".json", ""),
        d.path("uid").asText(),
        "the uid is the file name, so links and provisioning stay stable");
    assertFalse(d.path("title").asText().isBlank());
    assertTrue(d.path("schemaVersion").asInt() >= 36, "schemaVersion");
    Set<String> vars = new HashSet<>();
    for (JsonNode v : d.path("templating").path("list")) vars.add(v.path("name").asText());
    assertTrue(
        vars.containsAll(List.of("datasource", "model", "instance")),
        "templating variables: " + vars);
    for (JsonNode v : d.path("templating").path("list")) {
      if (!v.path("type").asText().equals("query")) continue;
      assertEquals(
          "prometheus", v.path("datasource").path("type").asText(), v.path("name").asText());
      assertTrue(
          v.path("multi").asBoolean() && v.path("includeAll").asBoolean(),
          v.path("name") + " should allow several values and All");
      assertEquals(
          ".*",
          v.path("allValue").asText(),
          v.path("name") + ": All must match every value in =~ selectors");
    }
  }

  @ParameterizedTest
  @FieldSource("DASHBOARDS")
  void everyPanelHasPlacedTargetsWithExprAndDatasource(String name) {
    JsonNode d = DeployFiles.json(DeployFiles.dashboard(name));
    Set<Integer> ids = new HashSet<>();
    int queryPanels = 0;
    for (JsonNode p : DeployFiles.panels(d)) {
      String title = name + " / " + p.path("title").asText();
      assertTrue(ids.add(p.path("id").asInt()), "duplicate panel id in " + title);
      JsonNode pos = p.path("gridPos");
      assertTrue(
          pos.path("w").asInt() >= 1
              && pos.path("x").asInt() + pos.path("w").asInt() <= 24
              && pos.path("h").asInt() >= 1,
          "gridPos of " + title);
      if (p.path("type").asText().equals("row")) continue;
      queryPanels++;
      assertFalse(p.path("title").asText().isBlank(), "a panel without title in " + name);
      assertFalse(p.path("description").asText().isBlank(), "description of " + title);
      assertDatasource(p.path("datasource"), title);
      assertTrue(
          p.path("targets").isArray() && p.path("targets").size() > 0, "no targets in " + title);
      Set<String> refIds = new HashSet<>();
      for (JsonNode t : p.path("targets")) {
        assertTrue(refIds.add(t.path("refId").asText()), "duplicate refId in " + title);
        assertDatasource(t.path("datasource"), title);
        String expr = t.path("expr").asText();
        assertFalse(expr.isBlank(), "empty expr in " + title);
        assertTrue(
            expr.contains("model=~\"$model\"") && expr.contains("instance=~\"$instance\""),
            title + ": every selector should follow the $model and $instance variables: " + expr);
      }
    }
    assertTrue(queryPanels >= 10, name + " has only " + queryPanels + " panels");
  }

  @ParameterizedTest
  @FieldSource("DASHBOARDS")
  void panelsDoNotOverlap(String name) {
    List<int[]> boxes = new ArrayList<>();
    for (JsonNode p : DeployFiles.panels(DeployFiles.json(DeployFiles.dashboard(name)))) {
      JsonNode g = p.path("gridPos");
      int[] b = {
        g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()
      };
      for (int[] o : boxes) {
        boolean overlap =
            b[0] < o[0] + o[2] && o[0] < b[0] + b[2] && b[1] < o[1] + o[3] && o[1] < b[1] + b[3];
        assertFalse(overlap, name + ": panel '" + p.path("title").asText() + "' overlaps another");
      }
      boxes.add(b);
    }
  }

  @ParameterizedTest
  @FieldSource("DASHBOARDS")
  void coversWhatTheIssueAsks(String name) {
    StringBuilder all = new StringBuilder();
    for (DeployFiles.Query q : DeployFiles.queries(name)) all.append(q.expr()).append('\n');
    List<String> expected =
        name.contains("training")
            ? List.of(
                "streamvec_perplexity",
                "streamvec_window_perplexity",
                "streamvec_recent_perplexity",
                "streamvec_recent_cross_entropy",
                "streamvec_recent_top5_ratio",
                "streamvec_drift_top_score",
                "streamvec_history_admitted_words_total",
                "streamvec_cross_entropy",
                "streamvec_top1_ratio",
                "streamvec_top5_ratio",
                "streamvec_tokens_per_second",
                "streamvec_tokens_total",
                "streamvec_vocab_size_words",
                "streamvec_admissions_words_total",
                "streamvec_evictions_words_total",
                "streamvec_learning_rate",
                "streamvec_snapshot_version",
                "streamvec_snapshot_bytes",
                "streamvec_snapshot_seconds",
                "streamvec_checkpoint_seconds")
            : List.of(
                "kafka_stream_alive_stream_threads",
                "kafka_stream_thread_process_total",
                "kafka_stream_thread_process_latency",
                "kafka_consumer_fetch_manager_records_lag",
                "kafka_consumer_coordinator_rebalance_total",
                "streamvec_dlq_records_by_reason_total",
                "jvm_memory_used_bytes");
    for (String metric : expected)
      assertTrue(all.indexOf(metric) >= 0, name + " has no panel on " + metric);
  }

  private static void assertDatasource(JsonNode ds, String where) {
    assertEquals("prometheus", ds.path("type").asText(), "datasource type of " + where);
    assertEquals(
        "${datasource}",
        ds.path("uid").asText(),
        "datasource of " + where + " should be the $datasource variable");
  }
}
