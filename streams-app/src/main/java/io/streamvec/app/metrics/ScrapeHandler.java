package io.streamvec.app.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * GET /metrics: the Prometheus text format (0.0.4), gzipped when the scraper asks for it
 * (Prometheus always does; the Kafka client metrics make the page large). A context in the JDK
 * server matches by prefix, so anything but the exact path is a 404 here.
 */
final class ScrapeHandler implements HttpHandler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MetricsSetup metrics;
  private final String path;

  ScrapeHandler(MetricsSetup metrics, String path) {
    this.metrics = metrics;
    this.path = path;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      if (!ex.getRequestURI().getPath().equals(path)) {
        error(ex, 404, "no endpoint " + ex.getRequestURI().getPath() + "; metrics are at " + path);
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        error(
            ex, 405, "method " + method + " not allowed: " + path + " is read-only (GET or HEAD)");
        return;
      }
      byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
      if (accept != null && accept.contains("gzip")) {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream(body.length / 4 + 64);
        try (OutputStream gz = new GZIPOutputStream(zipped)) {
          gz.write(body);
        }
        body = zipped.toByteArray();
        ex.getResponseHeaders().set("Content-Encoding", "gzip");
      }
      ex.getResponseHeaders().set("Content-Type", TextFormat.CONTENT_TYPE_004);
      send(ex, 200, body);
    }
  }

  private static void error(HttpExchange ex, int status, String message) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    send(ex, status, JSON.writeValueAsBytes(java.util.Map.of("error", message)));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, body.length);
      ex.getResponseBody().write(body);
    }
  }
}
