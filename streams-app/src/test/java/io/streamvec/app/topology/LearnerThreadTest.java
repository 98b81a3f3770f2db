package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.testing.Await;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.text.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LearnerThreadTest {
  private static final ModelConfig MODEL = AppConfig.of(TestTexts.smallModel()).model();

  private static List<String[]> tokenLines(List<String> texts) {
    Tokenizer tokenizer = new Tokenizer(MODEL.maxLineChars);
    return texts.stream()
        .map(t -> tokenizer.tokenize(t).toArray(String[]::new))
        .filter(l -> l.length > 0)
        .toList();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 1024, 1 << 20})
  void learnsTheInlineModelAndCapturesTheSameCheckpointsBitForBitWhateverTheQueue(
      int capacityTokens) {
    List<String[]> lines = tokenLines(TestTexts.generated(30_000, 11));
    Learner inline = new Learner(MODEL);
    Learner async = new Learner(MODEL);
    List<ModelStore.CheckpointImage> expected = new ArrayList<>(), captured = new ArrayList<>();
    List<ModelSnapshot> expectedSnapshots = new ArrayList<>(), taken = new ArrayList<>();
    try (LearnerThread worker = new LearnerThread(async, capacityTokens, "test-learner")) {
      for (int i = 0; i < lines.size(); i++) {
        inline.learn(Arrays.asList(lines.get(i)));
        worker.submit(lines.get(i));
        if (i % 97 == 0) {
          expected.add(ModelStore.capture(inline, i + 1));
          worker.requestCheckpoint(i + 1);
        }
        if (i % 1001 == 0) {
          expectedSnapshots.add(inline.snapshot(i));
          worker.requestSnapshot(i);
        }
        for (var image = worker.readyCheckpoint(); image != null; image = worker.readyCheckpoint())
          captured.add(image);
        for (var snapshot = worker.readySnapshot();
            snapshot != null;
            snapshot = worker.readySnapshot()) taken.add(snapshot);
      }
      awaitLearned(worker, lines.size());
      for (var image = worker.readyCheckpoint(); image != null; image = worker.readyCheckpoint())
        captured.add(image);
      for (var snapshot = worker.readySnapshot();
          snapshot != null;
          snapshot = worker.readySnapshot()) taken.add(snapshot);
    }
    assertEquals(expectedSnapshots.size(), taken.size());
    for (int i = 0; i < taken.size(); i++) {
      assertEquals(expectedSnapshots.get(i).version, taken.get(i).version);
      assertTrue(
          taken.get(i).sameModelAs(expectedSnapshots.get(i)),
          "snapshot " + i + " is the model at its place in the stream");
    }
    assertTrue(async.snapshot(0).sameModelAs(inline.snapshot(0)), "the same model, bit for bit");
    assertEquals(inline.stats(), async.stats());
    assertEquals(expected.size(), captured.size());
    for (int i = 0; i < expected.size(); i++) {
      ModelStore.CheckpointImage e = expected.get(i), c = captured.get(i);
      assertEquals(e.records(), c.records());
      assertArrayEquals(e.rows(), c.rows(), "the rows changed since the previous image");
      assertTrue(Arrays.deepEquals(e.rowBytes(), c.rowBytes()), "row bytes of image " + i);
      assertArrayEquals(e.global(), c.global(), "global part of image " + i);
    }
  }

  @Test
  void progressIsAnsweredAtALineBoundaryWithoutDrainingAndAreExactOnceTheWorkerHasCaughtUp()
      throws InterruptedException {
    List<String[]> lines = tokenLines(TestTexts.generated(20_000, 5));
    long total = lines.stream().mapToLong(l -> l.length).sum();
    Learner learner = new Learner(MODEL);
    try (LearnerThread worker = new LearnerThread(learner, 1 << 20, "test-learner")) {
      for (String[] l : lines) worker.submit(l);
      LearnerThread.Progress p = worker.progress();
      double first = p.stats().get("tokens");
      assertEquals(
          lines.subList(0, (int) p.lines()).stream().mapToLong(l -> l.length).sum(),
          first,
          0.0,
          "the tokens of the lines learned");
      assertTrue(first >= 0 && first <= total, "some line boundary: " + first);
      double[] seen = {first};
      Await.await(
          () -> "all learned, with no drain: " + seen[0] + " of " + total + " tokens",
          () -> {
            double now = worker.progress().stats().get("tokens");
            assertTrue(now >= seen[0], "never goes back: " + now + " after " + seen[0]);
            seen[0] = now;
            return now >= total;
          },
          Duration.ofSeconds(30));
      assertEquals(total, seen[0], 0.0, "all learned, with no drain");
      assertEquals(learner.stats(), worker.progress().stats());
      assertEquals(lines.size(), worker.progress().lines());
    }
  }

  /** Waits (bounded) until the worker has learned n lines; then the learner may be read. */
  private static void awaitLearned(LearnerThread worker, long n) {
    Await.await(
        "the learner thread to learn " + n + " lines",
        () -> worker.progress().lines() >= n,
        Duration.ofSeconds(60));
  }

  @Test
  void aFailureInLearningReachesTheStreamThreadAndNothingWaitsForever() {
    Learner learner = new Learner(MODEL);
    LearnerThread worker =
        new LearnerThread(
            learner,
            tokens -> {
              if (tokens[0].equals("boom")) throw new OutOfMemoryError("test");
              learner.learn(Arrays.asList(tokens));
            },
            2,
            "test-learner");
    worker.submit(new String[] {"the", "cat"});
    worker.submit(new String[] {"boom"});
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> awaitLearned(worker, 2));
    assertInstanceOf(OutOfMemoryError.class, e.getCause(), "an Error too");
    assertEquals(2, learner.tokens(), "what came before the failure was learned");
    assertThrows(
        IllegalStateException.class,
        () -> worker.submit(new String[] {"more"}),
        "it keeps failing: the task must restart");
    for (int i = 0; i < 10; i++) {
      try {
        worker.submit(new String[] {"x"});
      } catch (IllegalStateException expected) {
      }
    }
    worker.close(); // returns: the worker still takes and releases what is queued
  }

  @Test
  void aFullQueueHoldsTheSubmitterUntilTheLearnerHasWorkedItDownToHalf() throws Exception {
    java.util.concurrent.Semaphore permits =
        new java.util.concurrent.Semaphore(0); // the test lets the worker learn line by line
    java.util.concurrent.atomic.AtomicInteger learnedLines =
        new java.util.concurrent.atomic.AtomicInteger();
    Learner learner = new Learner(MODEL);
    String[] line = {
      "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"
    }; // 10 tokens; capacity 100 = 10 lines
    try (LearnerThread worker =
        new LearnerThread(
            learner,
            tokens -> {
              permits.acquireUninterruptibly();
              learnedLines.incrementAndGet();
            },
            100,
            "test-learner")) {
      java.util.concurrent.atomic.AtomicInteger submitted =
          new java.util.concurrent.atomic.AtomicInteger();
      Thread submitter =
          new Thread(
              () -> {
                for (int i = 0; i < 30; i++) {
                  worker.submit(line);
                  submitted.incrementAndGet();
                }
              });
      submitter.start();
      // the worker holds the 1st line (waiting for a permit) and 10 lines = 100 tokens are queued
      awaitTrue(
          () -> submitted.get() == 10 && submitter.getState() == Thread.State.TIMED_WAITING,
          "the submitter waits for room");
      Thread.sleep(50);
      assertEquals(10, submitted.get(), "never more than capacity queued");
      permits.release(4); // 4 lines learned: 60 tokens queued, more than half
      awaitTrue(() -> learnedLines.get() == 4, "4 learned");
      Thread.sleep(50);
      assertEquals(
          10, submitted.get(), "no wake-up per line: it waits for the queue to be down to half");
      permits.release(1); // 50 tokens queued: half
      awaitTrue(() -> submitted.get() == 15, "it refills the queue to capacity");
      Thread.sleep(50);
      assertEquals(15, submitted.get());
      permits.release(1000);
      submitter.join(10_000);
      assertEquals(30, submitted.get());
      awaitTrue(() -> learnedLines.get() == 30, "all learned");
    }
  }

  private static void awaitTrue(Await.Condition condition, String what) {
    Await.await(what, condition, Duration.ofSeconds(10));
  }
}
