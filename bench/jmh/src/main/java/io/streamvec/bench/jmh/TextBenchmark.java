package io.streamvec.bench.jmh;

import io.streamvec.model.text.Tokenizer;
import io.streamvec.model.vocab.StreamingVocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two per-token costs in front of the learner: tokenizing raw lines and counting a token in the
 * streaming vocabulary (hash lookup, decayed count, eviction heap). One op = one token.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TextBenchmark {
  static final int BATCH = 1024;
  private static final int BLOCKS = 64;

  private List<List<String>> blocks; // each block of lines tokenizes to exactly BATCH tokens
  private final List<String> tokens = new ArrayList<>();
  private final Tokenizer tokenizer = new Tokenizer(1_000_000);
  private StreamingVocabulary vocab;
  private String[] stream;
  private int block, cursor;

  @Setup(Level.Trial)
  public void prepare() {
    ZipfText text = new ZipfText(30_000, 7);
    blocks = new ArrayList<>();
    for (int b = 0; b < BLOCKS; b++) {
      List<String> lines = text.lines(BATCH);
      int n = 0;
      for (String line : lines) n += tokenizer.tokenize(line).size();
      if (n != BATCH)
        throw new IllegalStateException("block tokenizes to " + n + " tokens, not " + BATCH);
      blocks.add(lines);
    }
    vocab = new StreamingVocabulary(50_000, 5, 1e8, 200_000);
    for (String w : text.tokens(1_500_000)) vocab.observe(w);
    stream = text.tokens(1 << 20);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int tokenize() {
    List<String> lines = blocks.get(block);
    block = (block + 1) % BLOCKS;
    int n = 0;
    for (int i = 0, size = lines.size(); i < size; i++) {
      tokenizer.tokenize(lines.get(i), tokens);
      n += tokens.size();
    }
    return n;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int vocabularyObserve() {
    String[] s = stream;
    int c = cursor, sum = 0;
    for (int i = 0; i < BATCH; i++) {
      sum += vocab.observe(s[c]);
      c = (c + 1) & (s.length - 1);
    }
    cursor = c;
    return sum;
  }
}
