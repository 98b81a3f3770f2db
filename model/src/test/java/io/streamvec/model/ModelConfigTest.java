package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig.ExportVectors;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

  @Test
  void exportVectorsAutoIsTheSumWhereEAndWHaveOneShape() {
    ModelConfig d = ModelConfig.defaults();
    assertEquals("auto", d.get("export-vectors"));
    assertEquals(ExportVectors.SUM, d.exportVectors, "lbl: h = d");
    assertEquals(ExportVectors.SUM, d.with("encoder", "cbow").exportVectors);
    assertEquals(
        ExportVectors.SUM,
        d.with("encoder", "bengio").with("hidden", "100").exportVectors,
        "bengio with hidden = dim");
    assertEquals(
        ExportVectors.INPUT,
        d.with("encoder", "bengio").with("hidden", "64").exportVectors,
        "bengio with hidden != dim");
    assertEquals(
        ExportVectors.OUTPUT,
        d.with("export-vectors", "OUTPUT").exportVectors,
        "case-insensitive like the other enums");
    assertEquals(
        ExportVectors.CONCAT,
        d.with("encoder", "bengio")
            .with("hidden", "64")
            .with("export-vectors", "concat")
            .exportVectors);
  }

  @Test
  void autoLearningRatePerOptimizerAndEncoder() {
    ModelConfig d = ModelConfig.defaults();
    assertEquals(0.15, d.lr, "adagrad + lbl: the bench corpus' best prequential perplexity");
    assertEquals(0.2, d.with("encoder", "cbow").lr);
    assertEquals(0.05, d.with("encoder", "bengio").lr);
    assertEquals(0.05, d.with("optimizer", "sgd").lr);
    assertEquals(0.3, d.with("lr", "0.3").lr);
  }

  @Test
  void badExportVectorsAreClearErrors() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelConfig.defaults().with("export-vectors", "both"));
    assertTrue(
        e.getMessage().contains("'export-vectors' = 'both'")
            && e.getMessage().contains("auto|input|output|sum|concat"),
        e.getMessage());
    ModelConfig bengio = ModelConfig.defaults().with("encoder", "bengio").with("hidden", "64");
    e = assertThrows(IllegalArgumentException.class, () -> bengio.with("export-vectors", "sum"));
    assertTrue(e.getMessage().contains("needs hidden = dim"), e.getMessage());
  }

  @Test
  void theKeyRoundTripsThroughTheStoredConfig() throws Exception {
    ModelConfig c = ModelConfig.defaults().with("export-vectors", "output");
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    c.write(new java.io.DataOutputStream(b));
    ModelConfig back =
        ModelConfig.read(
            new java.io.DataInputStream(new java.io.ByteArrayInputStream(b.toByteArray())));
    assertEquals(c, back);
    assertEquals(ExportVectors.OUTPUT, back.exportVectors);
  }

  @Test
  void aConfigStoredBeforeTheKeyExistedReadsAsAuto() throws Exception {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(b);
    java.util.Map<String, String> old =
        new java.util.LinkedHashMap<>(ModelConfig.defaults().with("lr", "0.2").asMap());
    old.remove("export-vectors");
    out.writeInt(old.size());
    for (var e : old.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
    ModelConfig back =
        ModelConfig.read(
            new java.io.DataInputStream(new java.io.ByteArrayInputStream(b.toByteArray())));
    assertEquals("auto", back.get("export-vectors"));
    assertEquals(ExportVectors.SUM, back.exportVectors);
    assertEquals(0.2, back.lr, "a stored lr stays what it was");
  }

  private static ModelConfig roundTrip(ModelConfig c) throws Exception {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    c.write(new java.io.DataOutputStream(b));
    return ModelConfig.read(
        new java.io.DataInputStream(new java.io.ByteArrayInputStream(b.toByteArray())));
  }

  @Test
  void lrAutoIsStoredAsTheNumberItResolvedTo() throws Exception {
    ModelConfig d = ModelConfig.defaults();
    for (ModelConfig c :
        java.util.List.of(
            d,
            d.with("encoder", "cbow"),
            d.with("encoder", "bengio"),
            d.with("optimizer", "sgd"))) {
      assertEquals("auto", c.get("lr"));
      ModelConfig back = roundTrip(c);
      assertEquals(
          Double.toString(c.lr),
          back.get("lr"),
          "a checkpoint holds the number, so a later auto cannot change it");
      assertEquals(c.lr, back.lr);
      assertEquals(
          c,
          back,
          "lr=auto equals the number it resolves to (no 'hyper-parameters differ' warning on restore)");
      assertEquals(c.hashCode(), back.hashCode());
      // snapshots store the same resolved number
      io.streamvec.model.ModelSnapshot s =
          io.streamvec.model.io.TestSnapshots.withConfig(
              io.streamvec.model.io.TestSnapshots.random(8, 4, ModelConfig.Encoder.LBL, 1),
              c.with("dim", "4").with("context", "3").with("encoder", "lbl").with("hidden", "6"));
      assertEquals(
          Double.toString(s.config.lr),
          io.streamvec.model.io.SnapshotCodec.decode(io.streamvec.model.io.SnapshotCodec.encode(s))
              .config
              .get("lr"));
    }
    assertEquals(d, d.with("lr", "0.15"));
    assertEquals(d.with("lr", "0.1"), d.with("lr", "1e-1"));
    assertTrue(!d.equals(d.with("lr", "0.2")), "a different rate is a different config");
    assertTrue(
        !d.with("encoder", "cbow").equals(d.with("encoder", "cbow").with("lr", "0.15")),
        "cbow's auto is 0.2");
  }

  @Test
  void aLegacyCheckpointHoldingLrAutoStillReadsWithTodaysAuto() throws Exception {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(b);
    java.util.Map<String, String> old =
        ModelConfig.defaults().asMap(); // as older builds wrote it: lr=auto
    assertEquals("auto", old.get("lr"));
    out.writeInt(old.size());
    for (var e : old.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
    ModelConfig back =
        ModelConfig.read(
            new java.io.DataInputStream(new java.io.ByteArrayInputStream(b.toByteArray())));
    assertEquals(0.15, back.lr, "today's auto for adagrad + lbl");
    assertEquals("0.15", roundTrip(back).get("lr"), "written again, it holds the number");
  }
}
