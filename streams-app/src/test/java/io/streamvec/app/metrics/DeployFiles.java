package io.streamvec.app.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The files under deploy/ as the tests read them, and the PromQL found in the dashboards. */
final class DeployFiles {
  static final List<String> DASHBOARDS =
      List.of("streamvec-training.json", "streamvec-kafka-streams.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private DeployFiles() {}

  /** deploy/ of this checkout (tests run in the module directory; walk up to find it). */
  static Path deployDir() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy/grafana/dashboards"))) return p.resolve("deploy");
    }
    throw new IllegalStateException(
        "no deploy/grafana/dashboards above " + Path.of("").toAbsolutePath());
  }

  static Path dashboard(String name) {
    return deployDir().resolve("grafana/dashboards").resolve(name);
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  /** Every panel, rows and panels nested in collapsed rows included. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    addPanels(dashboard.path("panels"), out);
    return out;
  }

  private static void addPanels(JsonNode list, List<JsonNode> out) {
    for (JsonNode p : list) {
      out.add(p);
      if (p.has("panels")) addPanels(p.path("panels"), out);
    }
  }

  /** One PromQL expression of a dashboard and where it is. */
  record Query(String dashboard, String where, String expr) {}

  /**
   * Every PromQL expression of the dashboard: each panel target's expr, and each query variable's
   * label_values(metric{...}, label) as the equivalent count by (label) (metric{...}).
   */
  static List<Query> queries(String name) {
    return queries(name, json(dashboard(name)));
  }

  /**
   * As {@link #queries(String)} for a dashboard already read (or edited) as JSON; name says where
   * it came from.
   */
  static List<Query> queries(String name, JsonNode d) {
    List<Query> out = new ArrayList<>();
    for (JsonNode p : panels(d)) {
      for (JsonNode t : p.path("targets"))
        out.add(
            new Query(
                name,
                "panel '" + p.path("title").asText() + "' " + t.path("refId").asText(),
                t.path("expr").asText()));
    }
    for (JsonNode v : d.path("templating").path("list")) {
      if (!v.path("type").asText().equals("query")) continue;
      String q =
          v.path("query").isObject()
              ? v.path("query").path("query").asText()
              : v.path("query").asText();
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("^label_values\\((.+),\\s*(\\w+)\\)$").matcher(q.strip());
      if (!m.matches())
        throw new IllegalStateException(
            name + ": variable " + v.path("name") + " is not label_values(metric, label): " + q);
      out.add(
          new Query(
              name,
              "variable $" + v.path("name").asText(),
              "count by (" + m.group(2) + ") (" + m.group(1) + ")"));
    }
    return out;
  }

  /** Grafana's variables replaced by concrete values, as Grafana would send the query. */
  static String substitute(String expr, String model, String instance, String rateInterval) {
    return expr.replace("$__rate_interval", rateInterval)
        .replace("${__rate_interval}", rateInterval)
        .replace("$__interval", "5s")
        .replace("${__interval}", "5s")
        .replace("${model}", model)
        .replace("$model", model)
        .replace("${instance}", instance)
        .replace("$instance", instance);
  }
}
