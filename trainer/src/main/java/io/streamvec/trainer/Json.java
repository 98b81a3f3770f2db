package io.streamvec.trainer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One flat JSON object from a map of strings and numbers (the CLI's --json line and learning
 * curve): Jackson writes and escapes it; whole doubles become integers and NaN/Infinity null, so
 * counts read as counts and a missing measurement as null.
 */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static String object(Map<String, ?> m) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : m.entrySet()) values.put(e.getKey(), plain(e.getValue()));
    try {
      return MAPPER.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings and numbers always serializes", e);
    }
  }

  private static Object plain(Object v) {
    if (v instanceof Double x) {
      if (!Double.isFinite(x)) return null;
      return x == Math.rint(x) && Math.abs(x) < 1e15 ? (Object) x.longValue() : x;
    }
    if (v == null || v instanceof Number || v instanceof String || v instanceof Boolean) return v;
    return v.toString();
  }
}
