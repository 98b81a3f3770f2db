package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.snapshots.SnapshotTopicFixture;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.Word2VecFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * export and info report the width of the vectors they really export (export-vectors concat: d + h,
 * output with bengio: h), beside the model's d. No broker needed: the reports are built from a
 * snapshot.
 */
class SnapshotVectorWidthTest {

  @ParameterizedTest
  @CsvSource({
    "lbl, 16, concat, 32",
    "bengio, 24, concat, 40",
    "bengio, 24, output, 24",
    "bengio, 24, input, 16",
    "lbl, 16, sum, 16"
  })
  void jsonInfoMessageAndWord2VecHeaderAgreeOnTheExportedWidth(
      String encoder, int hidden, String export, int width) throws Exception {
    ModelConfig c =
        SnapshotTopicFixture.smallConfig(3)
            .with("encoder", encoder)
            .with("hidden", "" + hidden)
            .with("export-vectors", export);
    ModelSnapshot s = SnapshotTopicFixture.train(c, SnapshotTopicFixture.text(60, 4), 7);
    assertEquals(16, s.dim());

    JsonNode summary = new ObjectMapper().readTree(SnapshotJson.summary(s, "default"));
    assertEquals(16, summary.get("dim").asInt(), "dim stays the model's d");
    assertEquals(width, summary.get("vector_dim").asInt());
    assertEquals(export, summary.get("export_vectors").asText());

    ByteArrayOutputStream json = new ByteArrayOutputStream();
    SnapshotJson.writeExport(s, "default", json);
    JsonNode root = new ObjectMapper().readTree(json.toByteArray());
    assertEquals(width, root.get("vector_dim").asInt());
    for (JsonNode row : root.get("vectors")) assertEquals(width, row.size());

    ByteArrayOutputStream w2v = new ByteArrayOutputStream();
    Word2VecFormat.writeText(s, w2v);
    String header = w2v.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
    assertEquals(s.size() + " " + width, header, "word2vec header: V and the exported width");
    assertEquals(
        width,
        Word2VecFormat.readText(new ByteArrayInputStream(w2v.toByteArray())).vectors().numCols);

    String info = SnapshotCommand.info(s, io.streamvec.app.config.AppConfig.defaults());
    assertTrue(
        info.contains(
            String.format(
                Locale.ROOT,
                "%,d words, 16 dimensions; exported vectors %d numbers (export-vectors %s)",
                s.size(),
                width,
                export)),
        info);
  }
}
