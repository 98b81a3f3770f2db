package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A learner scoring by sampling: same training, close scores, bit-exact recovery. */
class SampledEvaluationTest {
  static ModelConfig config(int exactVocab) {
    return LearnerRestoreTest.small("lbl", "ns")
        .with("vocab-size", "3000")
        .with("candidates", "3000")
        .with("eval-every", "3")
        .with("eval-window", "500")
        .with("eval-sample", "64")
        .with("eval-exact-vocab", Integer.toString(exactVocab));
  }

  @Test
  void samplingChangesTheScoresLittleAndTheTrainingNotAtAll() {
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(60_000, 4_000, 21);
    Learner exact = new Learner(config(1_000_000));
    Learner sampled = new Learner(config(100));
    exact.learn(stream);
    sampled.learn(stream);
    assertTrue(sampled.vocabulary().size() > 1_000, "vocabulary " + sampled.vocabulary().size());
    assertEquals(exact.vocabulary().size(), sampled.vocabulary().size());
    for (int r = 0; r < exact.vocabulary().size(); r++)
      assertArrayEquals(
          LearnerState.row(exact, r), LearnerState.row(sampled, r), "scoring moved row " + r);
    assertEquals(exact.meter().scored(), sampled.meter().scored());
    assertEquals(exact.meter().crossEntropyBits(), sampled.meter().crossEntropyBits(), 0.03);
    assertEquals(exact.meter().top5(), sampled.meter().top5(), 0.02);
    assertEquals(exact.meter().top1(), sampled.meter().top1(), 0.02);
  }

  @Test
  void restoredSampledScoringContinuesBitForBit() throws IOException {
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(20_000, 1_000, 4);
    ModelConfig c = config(200);
    Learner straight = new Learner(c);
    straight.learn(stream);
    Learner first = new Learner(c);
    first.learn(stream.subList(0, 11_111));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(first, file);
    Learner resumed = LearnerState.readCheckpoint(new ByteArrayInputStream(file.toByteArray()));
    resumed.learn(stream.subList(11_111, stream.size()));
    LearnerRestoreTest.assertSame(straight, resumed);
  }
}
