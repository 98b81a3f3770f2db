package io.streamvec.app.query;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The live explorer: a static page (HTML, JS, CSS from the jar, no CDN, no build step) at {@code /}
 * that calls the JSON API. Files are read once from the classpath.
 */
final class ExplorerPage {
  private static final String ROOT = "/io/streamvec/app/explorer/";
  private static final Map<String, String[]> FILES =
      Map.of(
          "/", new String[] {"index.html", "text/html; charset=utf-8"},
          "/explorer/explorer.js", new String[] {"explorer.js", "text/javascript; charset=utf-8"},
          "/explorer/explorer.css", new String[] {"explorer.css", "text/css; charset=utf-8"});
  private static final Map<String, byte[]> BYTES = load();

  private ExplorerPage() {}

  private static Map<String, byte[]> load() {
    Map<String, byte[]> m = new java.util.HashMap<>();
    for (Map.Entry<String, String[]> e : FILES.entrySet()) {
      try (InputStream in = ExplorerPage.class.getResourceAsStream(ROOT + e.getValue()[0])) {
        if (in == null)
          throw new IllegalStateException("explorer file missing from the jar: " + e.getValue()[0]);
        m.put(e.getKey(), in.readAllBytes());
      } catch (IOException x) {
        throw new UncheckedIOException(x);
      }
    }
    return Map.copyOf(m);
  }

  static boolean serves(String path) {
    return FILES.containsKey(path);
  }

  static void send(HttpExchange ex, String path) throws IOException {
    try (ex) {
      byte[] body = BYTES.get(path);
      ex.getResponseHeaders().set("Content-Type", FILES.get(path)[1]);
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      if (ex.getRequestMethod().equals("HEAD")) {
        ex.sendResponseHeaders(200, -1);
      } else {
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    }
  }
}
