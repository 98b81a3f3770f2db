package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Learning on two threads ({@link Learner#setThreads}) gives the bits of one thread, whose
 * checkpoints {@link GoldenCheckpointTest} pins: the golden trainings write the same checkpoint
 * bytes on two threads (a vocabulary of 300 slots on this text, so rows are reassigned while steps
 * are queued), and every run the same.
 */
class LearnerThreadsTest {

  @ParameterizedTest(name = "{0} + {1} + {2}, eval-exact-vocab {3}")
  @CsvSource({
    "lbl,ns,adagrad,100000",
    "bengio,softmax,adagrad,100000",
    "cbow,ns,sgd,100000",
    "lbl,ns,adagrad,100"
  })
  void twoThreadsWriteOneThreadsCheckpoint(
      String encoder, String loss, String optimizer, int evalExactVocab) throws IOException {
    ModelConfig config =
        GoldenModelTest.config(encoder, loss, optimizer)
            .with("eval-exact-vocab", Integer.toString(evalExactVocab));
    Learner one = new Learner(config);
    for (String token : TestCorpus.tokens()) one.learnToken(token);
    Learner two = new Learner(config);
    two.setThreads(2);
    assertEquals(loss.equals("ns") ? 2 : 1, two.threads()); // softmax stays on one thread
    for (String token : TestCorpus.tokens()) two.learnToken(token);
    byte[] checkpoint = checkpoint(two);
    two.setThreads(1);
    assertArrayEquals(checkpoint(one), checkpoint);
  }

  /** Bengio under ns on two threads, with dirty rows tracked, over three passes: same as one. */
  @Test
  void sameBitsAndDirtyRowsAsOneThreadEveryRun() throws IOException {
    ModelConfig config = GoldenModelTest.config("bengio", "ns", "adagrad");
    List<String> tokens = TestCorpus.tokens();
    Learner one = new Learner(config);
    for (int pass = 0; pass < 3; pass++) for (String t : tokens) one.learnToken(t);
    byte[] expected = checkpoint(one);
    int dirty = one.dirtyRows().count();
    assertTrue(dirty > 0);
    for (int run = 0; run < 3; run++) {
      Learner two = new Learner(config);
      two.setThreads(2);
      for (int pass = 0; pass < 3; pass++) for (String t : tokens) two.learnToken(t);
      assertEquals(dirty, two.dirtyRows().count(), "run " + run);
      assertArrayEquals(expected, checkpoint(two), "run " + run);
      two.setThreads(1);
    }
  }

  /**
   * The exact evaluation's rows shared with the step thread (here from 64 words in use, so that
   * this vocabulary of 300 slots shares them): the checkpoint of one thread, meters included.
   */
  @Test
  void sharedScoringWritesOneThreadsCheckpoint() throws IOException {
    ModelConfig config = GoldenModelTest.config("lbl", "ns", "adagrad");
    Learner one = new Learner(config);
    for (String token : TestCorpus.tokens()) one.learnToken(token);
    assertTrue(one.meter().scored() > 10);
    Learner two = new Learner(config);
    two.setThreads(2);
    two.shareScoringFrom(64);
    for (String token : TestCorpus.tokens()) two.learnToken(token);
    byte[] checkpoint = checkpoint(two);
    two.setThreads(1);
    assertArrayEquals(checkpoint(one), checkpoint);
  }

  /** The fading updater's clock moves on the caller's thread: such a learner stays on one. */
  @Test
  void fadingAdagradStaysOnOneThread() {
    Learner fading =
        new Learner(
            GoldenModelTest.config("lbl", "ns", "adagrad").with("adagrad-half-life", "1000"));
    fading.setThreads(2);
    assertEquals(1, fading.threads());
  }

  private static byte[] checkpoint(Learner learner) throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(learner, file);
    return file.toByteArray();
  }
}
