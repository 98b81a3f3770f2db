package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The mini-batch learner (model key batch, {@link io.streamvec.model.nn.NsBatch}): same stream,
 * same bits; a checkpoint between records continues bit for bit (a batch never spans a record);
 * batch=1 is stored as today's config; the key is refused where it is not supported. The batch
 * step's arithmetic is checked against finite differences in NsBatchTest.
 */
class BatchLearnerTest {

  /** The Zipf stream with drift and evictions, cut into records of 1..37 tokens. */
  private static List<List<String>> records() {
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(12_000, 150, 5);
    List<List<String>> records = new ArrayList<>();
    for (int i = 0, n = 1; i < stream.size(); i += n, n = n % 37 + 1)
      records.add(stream.subList(i, Math.min(stream.size(), i + n)));
    return records;
  }

  private static ModelConfig config(String encoder, int batch, String optimizer) {
    return LearnerRestoreTest.small(encoder, "ns")
        .with("batch", Integer.toString(batch))
        .with("optimizer", optimizer);
  }

  private static Learner train(ModelConfig c, List<List<String>> records) {
    Learner l = new Learner(c);
    for (List<String> r : records) l.learn(r);
    return l;
  }

  @ParameterizedTest(name = "{0}, batch {1}, {2}")
  @CsvSource({"lbl,16,adagrad", "lbl,5,sgd", "cbow,8,adagrad", "lbl,64,adagrad"})
  void sameStreamSameBitsAndACheckpointMidStreamContinuesExactly(
      String encoder, int batch, String optimizer) throws IOException {
    ModelConfig c = config(encoder, batch, optimizer);
    List<List<String>> records = records();
    Learner straight = train(c, records);
    LearnerRestoreTest.assertSame(straight, train(c, records));
    assertTrue(straight.vocabulary().evictions() > 0, "slots should be reused while learning");

    int cut = records.size() / 2;
    Learner first = train(c, records.subList(0, cut));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(first, file);
    Learner resumed = LearnerState.readCheckpoint(new ByteArrayInputStream(file.toByteArray()));
    assertEquals(c, resumed.config());
    assertEquals(batch, resumed.config().batch);
    for (List<String> r : records.subList(cut, records.size())) resumed.learn(r);
    LearnerRestoreTest.assertSame(straight, resumed);

    // the batch is in use: a step per token learns other bits
    Learner perToken = train(config(encoder, 1, optimizer), records);
    assertFalse(
        Arrays.equals(LearnerState.global(perToken), LearnerState.global(straight)),
        "batch " + batch + " learned the bits of batch 1");
  }

  /** A reassigned slot starts fresh: no pending gradient of its old word reaches the new one. */
  @Test
  void aSlotIsReassignedOnlyWithNoBatchPending() {
    Learner l = new Learner(config("lbl", 16, "adagrad"));
    int[] reuses = new int[1];
    l.setObserver(
        new io.streamvec.model.eval.StreamObserver() {
          @Override
          public void slotAssigned(int slot, boolean reused) {
            assertEquals(0, l.pendingBatch(), "tokens pending when slot " + slot + " was reused");
            if (reused) reuses[0]++;
          }

          @Override
          public void token(int target, int v, boolean scored) {}
        });
    for (List<String> r : records()) {
      for (String w : r) {
        l.learnToken(w); // a record of one: nothing pending after it
        assertEquals(0, l.pendingBatch());
      }
      l.learn(r);
      assertEquals(0, l.pendingBatch());
    }
    assertTrue(reuses[0] > 10, "slots reused: " + reuses[0]);
  }

  @Test
  void batchOneIsStoredAsTodaysConfig() {
    ModelConfig one = ModelConfig.defaults().with("batch", "1");
    assertEquals(ModelConfig.defaults(), one);
    assertFalse(one.storedMap().containsKey("batch"), "batch=1 would change checkpoint bytes");
    ModelConfig sixteen = ModelConfig.defaults().with("batch", "16");
    assertEquals("16", sixteen.storedMap().get("batch"));
    assertFalse(Learner.stepThreadSupported(sixteen));
    Learner l = new Learner(sixteen);
    l.setThreads(2);
    assertEquals(1, l.threads(), "a mini-batch learns on one thread");
  }

  @Test
  void unsupportedSettingsAreRefusedWithTheFix() {
    for (String bad : new String[] {"0", "65", "2.5", "x"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> ModelConfig.defaults().with("batch", bad));
      assertTrue(e.getMessage().contains("'batch' = '" + bad + "'"), e.getMessage());
    }
    for (String[] kv : new String[][] {{"encoder", "bengio"}, {"loss", "softmax"}}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ModelConfig.defaults().with(kv[0], kv[1]).with("batch", "8"));
      assertTrue(
          e.getMessage().contains("mini-batches need loss=ns and encoder lbl or cbow"),
          e.getMessage());
    }
  }
}
