package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Learning on two threads ({@link Learner#setThreads}) gives the bits of one thread: the golden
 * trainings write the checkpoints pinned in {@link GoldenCheckpointTest} (a vocabulary of 300 slots
 * on this text, so rows are reassigned while steps are queued), and every run the same bytes.
 */
class LearnerThreadsTest {

  @ParameterizedTest(name = "{0} + {1} + {2}, eval-exact-vocab {3}")
  @CsvSource({
    "lbl,ns,adagrad,100000,1bd3166bb9b9603082446257284563fcbb2c9d5d821fe8dec9df3f2801093093",
    "bengio,softmax,adagrad,100000,8555a3394c93fa7115f2ebb176b9aba6180086ae36109859176d90b2f0510f74",
    "cbow,ns,sgd,100000,0c0fbc51fdb30423fa70d94029c14570e266e77b77d66590638f1853915dfd26",
    "lbl,ns,adagrad,100,54f8fa72fd44dcf6627905be7abaab54e8ba8ad4629455089a0a5d7877c7d525",
  })
  void twoThreadsWriteThePinnedCheckpoint(
      String encoder, String loss, String optimizer, int evalExactVocab, String sha256)
      throws IOException {
    ModelConfig config =
        GoldenModelTest.config(encoder, loss, optimizer)
            .with("eval-exact-vocab", Integer.toString(evalExactVocab));
    Learner learner = new Learner(config);
    learner.setThreads(2);
    assertEquals(loss.equals("ns") ? 2 : 1, learner.threads()); // softmax stays on one thread
    for (String token : TestCorpus.tokens()) learner.learnToken(token);
    byte[] checkpoint = checkpoint(learner);
    learner.setThreads(1);
    assertEquals(sha256, sha256(checkpoint));
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

  /** The fading updater's clock moves on the caller's thread: such a learner stays on one. */
  @Test
  void fadingAdagradStaysOnOneThread() {
    Learner fading =
        new Learner(
            GoldenModelTest.config("lbl", "ns", "adagrad").with("adagrad-half-life", "1000"));
    fading.setThreads(2);
    assertEquals(1, fading.threads());
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] checkpoint(Learner learner) throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(learner, file);
    return file.toByteArray();
  }
}
