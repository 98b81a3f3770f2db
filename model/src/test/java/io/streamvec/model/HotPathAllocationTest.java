package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The per-token training path allocates nothing: after warm-up, learning 200k tokens of known words
 * (noise-table rebuilds, evaluation and subsampling included) allocates a bounded few kB, not bytes
 * per token. Measured with the JVM's per-thread allocation counter. The served mixture's n-gram
 * table (on for lbl and bengio) is small enough to fill up during warm-up, so the measured part
 * also drops n-grams and rebuilds the table in place. A mini-batch (batch &gt; 1) learns records of
 * 1..37 tokens, each ending its batch. On two threads the exact evaluations run on the step thread,
 * queued in its ring.
 */
class HotPathAllocationTest {

  @ParameterizedTest(name = "{0} + {1}, adagrad-half-life {2}, {3} thread(s), batch {4}")
  @CsvSource({
    "lbl,ns,0,1,1",
    "bengio,ns,0,1,1",
    "cbow,ns,0,1,1",
    "lbl,softmax,0,1,1",
    "lbl,ns,1000,1,1",
    "lbl,ns,0,2,1",
    "bengio,ns,0,2,1",
    "cbow,ns,0,2,1",
    "lbl,ns,0,1,16",
    "cbow,ns,1000,1,8"
  })
  void learningKnownWordsAllocatesNothingPerToken(
      String encoder, String loss, String fading, int learnerThreads, int batch) {
    var bean = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(
        bean instanceof com.sun.management.ThreadMXBean tb && tb.isThreadAllocatedMemorySupported(),
        "this JVM cannot count allocated bytes per thread");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    ModelConfig c =
        ModelConfig.defaults()
            .with("encoder", encoder)
            .with("loss", loss)
            .with("dim", "32")
            .with("hidden", "32")
            .with("vocab-size", "500")
            .with("min-count", "1")
            .with("noise-refresh", "1000")
            .with("eval-every", "100")
            .with("mixture-ngrams", "20000")
            .with("adagrad-half-life", fading) // 1000: renormalises every 32k tokens
            .with("batch", Integer.toString(batch));
    Learner l = new Learner(c);
    long[] ids = {
      Thread.currentThread().getId(),
      learnerThreads == 1 ? -1 : stepThreadStartedBy(() -> l.setThreads(learnerThreads))
    };
    List<String> words = LearnerRestoreTest.SyntheticText.zipfStream(400_000, 200, 1);
    int n = loss.equals("softmax") ? 20_000 : 200_000;
    l.learn(words.subList(0, n)); // warm-up: admits every word, JIT compiles the path
    long rebuilds = l.mixture() == null ? 0 : l.mixture().ngram().rebuilds();
    // a mini-batch ends with its record: records of 1..37 tokens (cut before measuring)
    List<List<String>> records = new java.util.ArrayList<>();
    for (int i = n, k = 1; i < 2 * n; i += k, k = k % 37 + 1) {
      if (batch == 1) k = n; // one record, as before
      records.add(words.subList(i, Math.min(2 * n, i + k)));
    }
    long before = allocated(threads, ids, learnerThreads);
    for (int r = 0; r < records.size(); r++) l.learn(records.get(r));
    l.drain();
    long allocated = allocated(threads, ids, learnerThreads) - before;
    l.setThreads(1);
    if (l.mixture() != null)
      assertTrue(l.mixture().ngram().rebuilds() > rebuilds, "no n-gram rebuild while measured");
    assertTrue(
        allocated < 64 * 1024,
        "learning "
            + n
            + " tokens on "
            + learnerThreads
            + " thread(s): "
            + n
            + " tokens allocated "
            + allocated
            + " bytes ("
            + (double) allocated / n
            + " per token)");
  }

  /** Bytes allocated so far by the caller's thread and, on two threads, the step thread. */
  private static long allocated(com.sun.management.ThreadMXBean threads, long[] ids, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) sum += threads.getThreadAllocatedBytes(ids[i]);
    return sum;
  }

  /** The id of the learner step thread that start starts. */
  private static long stepThreadStartedBy(Runnable start) {
    Set<Long> before = stepThreads();
    start.run();
    Set<Long> started = stepThreads();
    started.removeAll(before);
    assertEquals(1, started.size(), "step threads started");
    return started.iterator().next();
  }

  private static Set<Long> stepThreads() {
    Set<Long> ids = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet())
      if (t.getName().equals("streamvec-learner-steps")) ids.add(t.getId());
    return ids;
  }
}
