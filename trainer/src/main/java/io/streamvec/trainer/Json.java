package io.streamvec.trainer;

import java.util.Locale;
import java.util.Map;

/**
 * One flat JSON object from a map of strings and numbers (the CLI's --json line); NaN/Infinity
 * become null.
 */
final class Json {
  private Json() {}

  static String object(Map<String, ?> m) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, ?> e : m.entrySet()) {
      if (b.length() > 1) b.append(',');
      string(b, e.getKey()).append(':');
      Object v = e.getValue();
      if (v instanceof Double x)
        b.append(
            Double.isFinite(x)
                ? (x == Math.rint(x) && Math.abs(x) < 1e15
                    ? Long.toString(x.longValue())
                    : String.format(Locale.ROOT, "%.6g", x))
                : "null");
      else if (v instanceof Number n) b.append(n);
      else if (v == null) b.append("null");
      else string(b, v.toString());
    }
    return b.append('}').toString();
  }

  private static StringBuilder string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"');
  }
}
