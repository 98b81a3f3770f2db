package io.streamvec.app.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamvec.app.snapshots.SnapshotTopicFixture;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GET /v1/model: dim is the model's d, vector_dim the width of the vectors the queries and exports
 * use.
 */
class ModelInfoTest {

  @ParameterizedTest
  @CsvSource({
    "lbl, 16, concat, 32",
    "bengio, 24, output, 24",
    "bengio, 24, auto, 16",
    "lbl, 16, auto, 16"
  })
  void vectorDimIsTheExportedWidth(String encoder, int hidden, String export, int width) {
    ModelConfig c =
        SnapshotTopicFixture.smallConfig(3)
            .with("encoder", encoder)
            .with("hidden", "" + hidden)
            .with("export-vectors", export);
    ModelSnapshot s = SnapshotTopicFixture.train(c, SnapshotTopicFixture.text(60, 4), 5);
    Map<String, Object> m = ModelInfo.of("default", s, 0);
    assertEquals(16, m.get("dim"));
    assertEquals(width, m.get("vector_dim"));
    assertEquals(width, s.wordVectors().numCols, "the width the neighbour queries use");
    assertEquals(
        c.exportVectors.name().toLowerCase(java.util.Locale.ROOT), m.get("export_vectors"));
  }
}
