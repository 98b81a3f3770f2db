package io.streamvec.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The --json line, byte for byte as bench/ and users' scripts read it. */
class JsonTest {
  @Test
  void countsAreIntegersMissingMeasurementsNullAndTextEscaped() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tokens", 1234567.0);
    m.put("perplexity", 118.5);
    m.put("tokens_per_sec", Double.NaN);
    m.put("cross_entropy_bits", Double.POSITIVE_INFINITY);
    m.put("threads", 2);
    m.put("input", "a \"quoted\"\tname\\x\n");
    m.put("output", null);
    assertEquals(
        "{\"tokens\":1234567,\"perplexity\":118.5,\"tokens_per_sec\":null,"
            + "\"cross_entropy_bits\":null,\"threads\":2,"
            + "\"input\":\"a \\\"quoted\\\"\\tname\\\\x\\n\",\"output\":null}",
        Json.object(m));
  }
}
