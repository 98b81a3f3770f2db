package io.streamvec.bench.jmh;

import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-token update, Learner.learnToken (vocabulary count, subsampling, noise refresh, sampled
 * exact evaluation, forward, loss step, backward), per loss x encoder. The learner is warmed on a
 * Zipf stream first, so vocabulary, noise table and rows are in steady state; one benchmark op =
 * one token (ns/op = ns/token, gc.alloc.rate.norm = B/token).
 *
 * <p>With threads = 2 an op is still one token: the time per token of the two threads together (the
 * caller's thread waits for the step thread at the end of each batch of 1,024 tokens).
 *
 * <p>Settings match bench/run.sh (dim 100, context 5, 5 negatives, min-count 5). softmax is O(V)
 * per token, so it runs on a 2,000-word vocabulary (its intended use: small vocabularies).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LearnerBenchmark {
  static final int BATCH = 1024;

  @Param({"lbl", "cbow", "bengio"})
  public String encoder;

  @Param({"ns", "softmax"})
  public String loss;

  /** Learner.setThreads: 2 runs the model's steps on their own thread (loss=ns), same bits. */
  @Param({"1", "2"})
  public int threads;

  private Learner learner;
  private String[] stream;
  private int cursor;

  @Setup(Level.Trial)
  public void warmUp() {
    boolean softmax = loss.equals("softmax");
    ModelConfig c =
        ModelConfig.defaults()
            .with("encoder", encoder)
            .with("loss", loss)
            .with("dim", "100")
            .with("context", "5")
            .with("negatives", "5")
            .with("min-count", "5")
            .with("vocab-size", softmax ? "2000" : "50000");
    learner = new Learner(c);
    learner.trackDirtyRows(false); // as in ./streamvec train
    learner.setThreads(threads);
    ZipfText text = new ZipfText(30_000, 42);
    int warm =
        softmax
            ? 60_000
            : encoder.equals("bengio") ? 300_000 : 1_500_000; // bengio is ~10x slower per token
    for (String w : text.tokens(warm)) learner.learnToken(w);
    stream = text.tokens(1 << 20);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long learnToken() {
    String[] s = stream;
    int c = cursor;
    for (int i = 0; i < BATCH; i++) {
      learner.learnToken(s[c]);
      c = (c + 1) & (s.length - 1);
    }
    cursor = c;
    learner.drain(); // the batch's steps are done when the op ends
    return learner.trainedTokens();
  }

  @TearDown(Level.Trial)
  public void stopThreads() {
    learner.setThreads(1);
  }
}
