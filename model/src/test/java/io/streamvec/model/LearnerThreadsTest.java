package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.lm.BitsLog;
import io.streamvec.model.lm.PairedScores;
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
   * Every token scored (eval-every 1) and no drain between tokens, so evaluations queue on the step
   * thread one behind the other: the served mixture's bits of every scored token come in one
   * thread's order with one thread's values, and the checkpoint (meters, mixture weights) is one
   * thread's.
   */
  @ParameterizedTest(name = "eval-every {0}")
  @CsvSource({"1", "2", "7"})
  void queuedEvaluationsApplyInStreamOrder(String every) throws IOException {
    ModelConfig config = GoldenModelTest.config("lbl", "ns", "adagrad").with("eval-every", every);
    List<String> tokens = TestCorpus.tokens();
    Learner one = new Learner(config);
    BitsLog oneServed = new BitsLog();
    one.mixture().logServedBits(oneServed);
    one.learn(tokens);
    Learner two = new Learner(config);
    two.setThreads(2);
    BitsLog twoServed = new BitsLog();
    two.mixture().logServedBits(twoServed);
    two.learn(tokens);
    byte[] checkpoint = checkpoint(two); // drains
    assertEquals(tokens.size() / Integer.parseInt(every), oneServed.size(), 1.0);
    assertEquals(oneServed.size(), twoServed.size());
    for (int i = 0; i < oneServed.size(); i++)
      assertEquals(oneServed.get(i), twoServed.get(i), 0.0, "served bits of scored token " + i);
    two.setThreads(1);
    assertArrayEquals(checkpoint(one), checkpoint);
  }

  /**
   * A reader between two tokens sees what one thread has at that token, though the step thread
   * records the scores later: each token a different reader goes first (the prequential meter, the
   * mixture's scores and weights, the recent meter, the statistics).
   */
  @Test
  void readersBetweenTokensSeeOneThreadsScores() {
    ModelConfig config = GoldenModelTest.config("lbl", "ns", "adagrad").with("eval-every", "3");
    Learner one = new Learner(config);
    Learner two = new Learner(config);
    two.setThreads(2);
    List<String> tokens = TestCorpus.tokens();
    for (int i = 0; i < tokens.size(); i++) {
      one.learnToken(tokens.get(i));
      two.learnToken(tokens.get(i));
      assertEquals(read(one, i % 4), read(two, i % 4), "reader " + i % 4 + " after token " + i);
    }
    assertTrue(one.meter().scored() > 1000);
    two.setThreads(1);
  }

  private static String read(Learner l, int reader) {
    return switch (reader) {
      case 0 ->
          List.of(l.meter().scored(), l.meter().crossEntropyBits(), l.meter().windowTop5())
              .toString();
      case 1 ->
          List.of(
                  l.mixture().scores().scored(),
                  l.mixture().scores().perplexity(PairedScores.MIXTURE),
                  l.mixture().weights().weight(0),
                  l.mixture().weights().weight(3))
              .toString();
      case 2 ->
          List.of(l.recentMeter().exactCrossEntropyBits(), l.recentMeter().calibrationBits())
              .toString();
      default -> l.stats().toString();
    };
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
