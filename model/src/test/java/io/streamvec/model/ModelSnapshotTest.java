package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamvec.model.io.TestSnapshots;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

class ModelSnapshotTest {

  @Test
  void wordVectorsAreTheConfiguredParametersRowByRow() {
    ModelSnapshot r = TestSnapshots.random(30, 5, ModelConfig.Encoder.LBL, 4);
    ModelSnapshot bengio = TestSnapshots.random(30, 5, ModelConfig.Encoder.BENGIO, 4); // H = d + 2
    for (ModelSnapshot base : new ModelSnapshot[] {r, bengio}) {
      int d = base.dim(), h = base.outputWeights().numCols;
      for (ModelConfig.ExportVectors mode : ModelConfig.ExportVectors.values()) {
        if (mode == ModelConfig.ExportVectors.SUM && h != d) continue;
        ModelSnapshot s =
            TestSnapshots.withConfig(
                base, base.config.with("export-vectors", mode.name().toLowerCase()));
        FMatrixRMaj u = s.wordVectors();
        assertEquals(s.size(), u.numRows);
        assertEquals(s.wordVectorDim(), u.numCols, mode.name());
        for (int i = 0; i < s.size(); i++) {
          for (int j = 0; j < u.numCols; j++) {
            float expected =
                switch (mode) {
                  case INPUT -> s.embeddings().get(i, j);
                  case OUTPUT -> s.outputWeights().get(i, j);
                  case SUM -> s.embeddings().get(i, j) + s.outputWeights().get(i, j);
                  case CONCAT -> j < d ? s.embeddings().get(i, j) : s.outputWeights().get(i, j - d);
                };
            assertEquals(expected, u.get(i, j), 0f, mode + " row " + i + " col " + j);
          }
        }
      }
    }
    // a copy: changing it leaves the snapshot alone
    FMatrixRMaj u =
        TestSnapshots.withConfig(r, r.config.with("export-vectors", "input")).wordVectors();
    u.data[0] += 1;
    assertEquals(r.embeddings().data[0] + 1, u.data[0], 0f);
  }

  @Test
  void eachWordFindsItsFirstIdAndOthersNone() {
    int v = 5_000;
    String[] words = new String[v];
    for (int i = 0; i < v; i++) words[i] = i == 0 ? "<unk>" : i == 1 ? "</s>" : "w" + (i % 4_000);
    ModelConfig c = TestSnapshots.config(ModelConfig.Encoder.LBL, 2, 2, 2);
    ModelSnapshot s =
        TestSnapshots.of(
            c, words, new FMatrixRMaj(v, 2), new FMatrixRMaj(v, 2), new FMatrixRMaj(v, 1));
    java.util.Map<String, Integer> first = new java.util.HashMap<>();
    for (int i = 0; i < v; i++) first.putIfAbsent(words[i], i);
    for (int i = 0; i < v; i++) assertEquals(first.get(words[i]), s.id(words[i]), words[i]);
    for (String absent : new String[] {"w4000", "x", "", "W1"}) assertEquals(-1, s.id(absent));
    assertEquals(-1, s.id(null));
  }
}
