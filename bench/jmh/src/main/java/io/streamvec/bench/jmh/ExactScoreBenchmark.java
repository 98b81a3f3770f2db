package io.streamvec.bench.jmh;

import io.streamvec.model.nn.OutputLayer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One exact score over v words (OutputLayer.logProbabilities: s = W h + b + c, then log p = s -
 * logsumexp(s)), as a prequential exact evaluation and a next-word query run it; one op = one
 * score. W (v, 100) holds seeded N(0, 0.3) values, so the scores spread as a trained model's do.
 * The context vector changes in one coordinate per op, so no op repeats the previous one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExactScoreBenchmark {
  static final int HIDDEN = 100;

  /** Words in use: a small vocabulary (softmax loss) and the default bench vocabulary. */
  @Param({"2000", "50000"})
  public int words;

  private OutputLayer output;
  private float[] h;
  private float[] correction;
  private int op;

  @Setup
  public void fill() {
    SplittableRandom rng = new SplittableRandom(11);
    output = new OutputLayer(words, HIDDEN);
    float[] w = output.weights.data;
    for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * 0.3);
    h = new float[HIDDEN];
    for (int j = 0; j < HIDDEN; j++) h[j] = (float) rng.nextGaussian();
    correction = new float[words];
    for (int i = 0; i < words; i++) correction[i] = (float) -Math.log1p(i);
  }

  @Benchmark
  public float logProbabilities() {
    int k = op++;
    h[k % HIDDEN] += 1e-3f;
    return output.logProbabilities(h, words, correction)[k % words];
  }
}
