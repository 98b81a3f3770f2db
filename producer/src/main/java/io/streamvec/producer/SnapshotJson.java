package io.streamvec.producer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.streamvec.model.ModelSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Snapshots as JSON. The export document (streamed: a model of 50k words x 100 floats is tens of
 * MB, never built in memory as a tree):
 *
 * <pre>
 * {"model_id":"default","version":12,"tokens":1234567,"dim":100,"vocab_size":V,
 *  "config":{"dim":"100",...},"stats":{"perplexity":345.6,...},
 *  "words":["&lt;unk&gt;","&lt;/s&gt;","the",...],"counts":[...],"vectors":[[0.1,...],...]}
 * </pre>
 *
 * words[i], counts[i] and vectors[i] belong together; vectors are the snapshot's word vectors
 * (config export-vectors: E, W, E + W or [E, W], so a row has d or d + H numbers); floats are
 * written as the shortest decimal that reads back as the same float32; statistics that are not
 * known yet (NaN) are null.
 */
final class SnapshotJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private SnapshotJson() {}

  static void writeExport(ModelSnapshot s, String modelId, OutputStream out) throws IOException {
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      g.writeStartObject();
      header(g, s, modelId);
      g.writeArrayFieldStart("words");
      for (int i = 0; i < s.size(); i++) g.writeString(s.word(i));
      g.writeEndArray();
      g.writeArrayFieldStart("counts");
      for (int i = 0; i < s.size(); i++) g.writeNumber(s.count(i));
      g.writeEndArray();
      g.writeArrayFieldStart("vectors");
      org.ejml.data.FMatrixRMaj vectors = s.wordVectors();
      int d = vectors.numCols;
      float[] e = vectors.data;
      for (int i = 0; i < s.size(); i++) {
        g.writeStartArray();
        for (int j = 0; j < d; j++) g.writeNumber(e[i * d + j]);
        g.writeEndArray();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  /** One line describing a snapshot without its vectors (watch --json, info --json). */
  static String summary(ModelSnapshot s, String modelId) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(b, JsonEncoding.UTF8)) {
      g.writeStartObject();
      header(g, s, modelId);
      g.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // an in-memory stream does not fail
    }
    return b.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void header(JsonGenerator g, ModelSnapshot s, String modelId) throws IOException {
    g.writeStringField("model_id", modelId);
    g.writeNumberField("version", s.version);
    g.writeNumberField("tokens", s.tokens);
    g.writeNumberField("dim", s.dim());
    g.writeNumberField(
        "vector_dim", s.wordVectorDim()); // the length of each row of "vectors" (d + H with
    // export-vectors=concat)
    g.writeStringField("export_vectors", s.config.exportVectorsName());
    g.writeNumberField("vocab_size", s.size());
    g.writeObjectFieldStart("config");
    for (Map.Entry<String, String> c : s.config.asMap().entrySet())
      g.writeStringField(c.getKey(), c.getValue());
    g.writeEndObject();
    g.writeObjectFieldStart("stats");
    for (Map.Entry<String, Double> st : new LinkedHashMap<>(s.stats()).entrySet()) {
      double v = st.getValue() == null ? Double.NaN : st.getValue();
      if (Double.isFinite(v)) g.writeNumberField(st.getKey(), v);
      else g.writeNullField(st.getKey());
    }
    g.writeEndObject();
  }
}
