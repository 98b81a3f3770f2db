package io.streamvec.app.query;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of one request's query string, decoded strictly: percent escapes are bytes of
 * UTF-8 ('+' is a space, as browsers and curl --data-urlencode send it), and a malformed escape or
 * invalid UTF-8 is a 400 rather than a silently substituted U+FFFD that would then be looked up as
 * a word. Getters enforce the API's bounds and throw {@link ApiException}. (A request line that is
 * not a valid URI at all, e.g. "%G1", is refused with 400 by the JDK server before it reaches a
 * handler.)
 */
final class QueryParams {
  /**
   * The raw query is refused above this length: a 1000-character context is at most 12 KB encoded.
   */
  static final int MAX_RAW_QUERY = 16 * 1024;

  private final Map<String, String> values;

  private QueryParams(Map<String, String> values) {
    this.values = values;
  }

  /** Parses a raw (still percent-encoded) query string; null or empty gives no parameters. */
  static QueryParams parse(String rawQuery) {
    Map<String, String> m = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) return new QueryParams(m);
    if (rawQuery.length() > MAX_RAW_QUERY) {
      throw ApiException.badRequest(
          "query string too long: "
              + rawQuery.length()
              + " characters (at most "
              + MAX_RAW_QUERY
              + ")");
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      // the first occurrence wins; a repeated parameter cannot smuggle in a second value
      m.putIfAbsent(name, value);
    }
    return new QueryParams(m);
  }

  /** A required text parameter of at most maxChars code points (after decoding, then trimmed). */
  String text(String name, int maxChars) {
    String v = values.get(name);
    if (v == null || v.isBlank())
      throw ApiException.badRequest("parameter '" + name + "' is required");
    v = v.strip();
    int chars = v.codePointCount(0, v.length());
    if (chars > maxChars) {
      throw ApiException.badRequest(
          "parameter '"
              + name
              + "' is too long: "
              + chars
              + " characters (at most "
              + maxChars
              + ")");
    }
    return v;
  }

  /** An optional parameter's value (stripped), null when absent or blank. */
  String optional(String name) {
    String v = values.get(name);
    return v == null || v.isBlank() ? null : v.strip();
  }

  /** An optional whole number in [min, max], defaultValue when absent. */
  int integer(String name, int min, int max, int defaultValue) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) return defaultValue;
    int x;
    try {
      x = Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(
          "parameter '"
              + name
              + "' must be a whole number in "
              + min
              + ".."
              + max
              + ", got '"
              + shorten(v)
              + "'");
    }
    if (x < min || x > max)
      throw ApiException.badRequest(
          "parameter '" + name + "' must be in " + min + ".." + max + ", got " + x);
    return x;
  }

  private static String decode(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+') {
        bytes.write(' ');
      } else if (c == '%') {
        if (i + 2 >= s.length()
            || Character.digit(s.charAt(i + 1), 16) < 0
            || Character.digit(s.charAt(i + 2), 16) < 0) {
          throw ApiException.badRequest(
              "malformed percent escape in the query string near '"
                  + shorten(s.substring(i))
                  + "'");
        }
        bytes.write(
            Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        // HttpServer reads the request line byte by byte into chars (ISO-8859-1), so an unescaped
        // char below 256 is one byte of what the client sent: raw UTF-8 decodes like escaped UTF-8
        bytes.writeBytes(
            c < 256 ? new byte[] {(byte) c} : String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("the query string is not valid UTF-8 after percent-decoding");
    }
  }

  private static String shorten(String s) {
    return s.length() <= 20 ? s : s.substring(0, 20) + "...";
  }
}
