package io.streamvec.model;

import io.streamvec.model.eval.PrequentialMeter;
import io.streamvec.model.eval.RecentMeter;
import io.streamvec.model.eval.StreamObserver;
import io.streamvec.model.lm.NextWordMixture;
import io.streamvec.model.nn.ContextEncoder;
import io.streamvec.model.nn.NsBatch;
import io.streamvec.model.nn.OutputLayer;
import io.streamvec.model.nn.Prefetch;
import io.streamvec.model.nn.Rng;
import io.streamvec.model.nn.RowMarks;
import io.streamvec.model.nn.RowUpdater;
import io.streamvec.model.vocab.StreamingVocabulary;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.ejml.data.FMatrixRMaj;

/**
 * The online next-word learner: for each token x_t of an endless stream, score it (prequential),
 * then take one SGD step on -log p(x_t | x_{t-1} .. x_{t-L}).
 *
 * <p>Shapes: V vocabulary capacity, d embedding size, H = encoder output size (d, or the hidden
 * size of the Bengio encoder), L context words (P = L, or 2L for cbow), k negatives. Parameters: E
 * (V, d), the encoder's own, W (V, H), b (V). Scratch is allocated once; after warm-up {@link
 * #learnToken} allocates nothing.
 *
 * <p>Everything that influences the future (parameters, optimiser state, vocabulary, noise weights,
 * RNG, context history, counters) is in {@link LearnerState}'s checkpoint, so a restored learner
 * continues bit for bit like one never interrupted.
 */
public final class Learner {
  /** Default half-life of the recent metrics, in tokens. */
  public static final double DEFAULT_RECENT_HALF_LIFE = 1_000_000;

  private final ModelConfig config;
  private final int d, hidden, capacity, positions;
  private final StreamingVocabulary vocab;
  private final FMatrixRMaj embeddings; // E (V, d)
  private final float[] embeddingsAcc; // (V) row-wise AdaGrad
  private final OutputLayer output; // W (V, H), b (V)
  private final ContextEncoder encoder;
  private final RowUpdater updater;
  private final Rng rng;
  private final NoiseModel noise; // q(w) for negatives, and the logit correction of NS scores
  private final Evaluation evaluation; // which tokens are scored, the meters
  private NextWordMixture mixture; // model + bounded n-gram, what prediction serves; null when off
  private final ContextWindow window; // the words the encoder reads for the current target
  private long tokens, trained;
  private float prefetched; // sink of early loads (see Prefetch)
  private double keepP; // keep probability of the last target (1 when not subsampled)
  private final IntToDoubleFunction keepProbability =
      this::keepProbability; // one, not one a rebuild
  private final RowMarks dirtyRows;
  private StreamObserver observer; // optional (e.g. an n-gram baseline); not part of the checkpoint
  private boolean trackDirtyRows =
      true; // off when nobody reads them (the train CLI): saves marking ~(1 + k + L) rows per token

  // scratch, allocated once
  private final float[] h, gradH;
  private NsSteps steps; // the model's steps on the caller's thread (on h and gradH)
  private StepThread stepThread; // null: one thread (see setThreads)
  private final int[] negatives;
  private final NsBatch batch; // null: a step per token (batch = 1)

  public Learner(ModelConfig config) {
    this(
        config,
        new StreamingVocabulary(
            config.vocabSize, config.minCount, config.halfLife, config.candidates));
  }

  private Learner(ModelConfig config, StreamingVocabulary vocab) {
    this.config = config;
    this.d = config.dim;
    this.hidden = config.hiddenSize();
    this.positions = config.contextPositions();
    this.capacity = config.vocabSize;
    this.vocab = vocab;
    this.embeddings = new FMatrixRMaj(capacity, d);
    this.embeddingsAcc = new float[capacity];
    this.output = new OutputLayer(capacity, hidden);
    this.encoder = ContextEncoder.create(config);
    this.updater =
        new RowUpdater(
            config.optimizer,
            config.lr,
            config.adagradHalfLife,
            Stream.concat(
                    Stream.of(embeddingsAcc, output.weightsAcc, output.biasAcc),
                    Arrays.stream(encoder.accumulators()))
                .toArray(float[][]::new));
    this.rng = new Rng(config.seed);
    this.noise = new NoiseModel(config);
    this.window = new ContextWindow(config);
    this.h = new float[hidden];
    this.gradH = new float[hidden];
    this.negatives = new int[config.negatives];
    this.dirtyRows = new RowMarks(capacity);
    this.evaluation = new Evaluation(config, embeddings, encoder, output, noise, h);
    this.steps = ownSteps(h, gradH);
    this.mixture = newMixture(config);
    evaluation.setMixture(mixture);
    this.batch =
        config.batch == 1
            ? null
            : new NsBatch(
                config.batch,
                config.negatives,
                embeddings,
                embeddingsAcc,
                output,
                encoder,
                updater);
    vocab.setListener(this::slotAssigned);
    for (int i = 0; i < vocab.size(); i++)
      initRow(i); // the reserved <unk>, </s> (a restore overwrites all rows)
  }

  /** A slot got a (new) word: fresh parameters, and stale references to it leave the context. */
  private void slotAssigned(int slot, boolean reused) {
    flushBatch(); // its gradients belong to the slot's old word
    initRow(slot);
    if (observer != null) observer.slotAssigned(slot, reused);
    if (mixture != null) mixture.slotAssigned(slot, reused);
    if (reused) window.forget(slot);
  }

  private void initRow(int row) {
    // word2vec's init: E uniform in [-0.5/d, 0.5/d), output weights zero.
    if (stepThread != null) stepThread.resetRow(row, rng); // in order with the queued steps
    else {
      for (int j = 0; j < d; j++) embeddings.data[row * d + j] = (rng.nextFloat() - 0.5f) / d;
      resetRowState(row);
    }
    // the slot keeps its noise weight from the last rebuild (the alias table was built from it);
    // until the next rebuild a new word gets the noise share of a word seen min-count times
    noise.resetCorrection(row);
    dirtyRows.mark(row);
  }

  private void resetRowState(int row) {
    embeddingsAcc[row] = 0f;
    output.resetRow(row);
  }

  /**
   * Learning threads: 1 (default) runs everything on the caller's thread; 2 runs the model's steps
   * (forward, negative-sampling step, backward) and the exact evaluations on a thread of their own,
   * pipelined behind the caller's counting, subsampling and mixture, for loss=ns without
   * adagrad-half-life. The model and its scores are the same bits either way (nothing is
   * reordered); more than 2 is not split further.
   */
  public void setThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
    boolean on = n > 1 && stepThreadSupported(config);
    if (on == (stepThread != null)) return;
    if (on) {
      NsSteps own = ownSteps(new float[hidden], new float[hidden]);
      stepThread = new StepThread(own, positions, negatives.length, d);
    } else {
      stepThread.stop();
      stepThread = null;
    }
    evaluation.setStepThread(stepThread);
  }

  /** The model's steps (loss=ns) with their own references and scratch h, gradH (see NsSteps). */
  private NsSteps ownSteps(float[] h, float[] gradH) {
    return new NsSteps(
        embeddings,
        embeddingsAcc,
        output,
        encoder,
        updater,
        evaluation.recent(),
        h,
        gradH,
        positions,
        negatives.length);
  }

  /**
   * Whether a model of config can run its steps on a second thread: loss=ns without fading AdaGrad
   * (the fading updater's clock moves on the caller's thread, so it stays on one) and batch = 1.
   */
  public static boolean stepThreadSupported(ModelConfig config) {
    boolean fading =
        config.optimizer == ModelConfig.Optimizer.ADAGRAD && config.adagradHalfLife > 0;
    return config.loss == ModelConfig.LossKind.NS && !fading && config.batch == 1;
  }

  /** Learning threads in use (see {@link #setThreads}). */
  public int threads() {
    return stepThread == null ? 1 : 2;
  }

  /**
   * Waits for the step thread (if any) to apply every queued step and evaluation; every method here
   * that reads the parameters, the meters or the mixture does so first.
   */
  public void drain() {
    flushBatch();
    if (stepThread != null) stepThread.drain();
  }

  /** Trained tokens in the pending mini-batch (0 with batch = 1): tests check when it is empty. */
  int pendingBatch() {
    return batch == null ? 0 : batch.size();
  }

  /** Applies the pending mini-batch, if any (batch &gt; 1). */
  private void flushBatch() {
    if (batch != null) batch.flush(trackDirtyRows ? dirtyRows : null);
  }

  public ModelConfig config() {
    return config;
  }

  public StreamingVocabulary vocabulary() {
    return vocab;
  }

  /** The prequential meter (after a drain: with a step thread it records the exact scores). */
  public PrequentialMeter meter() {
    drain();
    return evaluation.meter();
  }

  /** Fading metrics over the recent stream (half-life in tokens); see {@link RecentMeter}. */
  public RecentMeter recentMeter() {
    drain();
    return evaluation.recent();
  }

  /** Half-life of the recent metrics in tokens (not a model key: a reporting choice). */
  public void setRecentHalfLife(double tokens) {
    drain();
    evaluation.recent().setHalfLife(tokens);
  }

  /** Attaches an observer of every target (null detaches); it sees the stream from now on. */
  public void setObserver(StreamObserver o) {
    observer = o;
  }

  /** Tokens seen (each one scored or not, trained on or not). */
  public long tokens() {
    return tokens;
  }

  /**
   * Tokens that produced a gradient step: every target not subsampled away, &lt;unk&gt; included.
   */
  public long trainedTokens() {
    return trained;
  }

  /**
   * Learns from the tokens of one record, in order. A mini-batch (batch &gt; 1) ends with the
   * record, so a checkpoint between records holds no pending step.
   */
  public void learn(List<String> tokens) {
    for (int i = 0, n = tokens.size(); i < n; i++) observeAndLearn(tokens.get(i));
    flushBatch();
  }

  /** Counts the word, scores it, learns from it: a record of one token. */
  public void learnToken(String word) {
    observeAndLearn(word);
    flushBatch();
  }

  private void observeAndLearn(String word) {
    int id = vocab.observe(word);
    tokens++;
    // the word's embedding is read as context from the next step on: its cache miss starts now
    if (stepThread == null) prefetched += Prefetch.row(embeddings.data, id * d, d);
    // fading AdaGrad renormalises every stored accumulator once per 32 half-lives
    if (updater.advance(tokens) && trackDirtyRows) dirtyRows.markRange(0, vocab.size());
    if (config.encoder == ModelConfig.Encoder.CBOW) {
      int centre = window.pushCentred(id, tokens);
      if (centre >= 0) step(centre, window.context());
    } else {
      if (mixture != null) mixture.prefetch(id); // its cache misses overlap with the step's work
      step(id, window.before());
      if (mixture != null) mixture.count(id);
      window.push(id);
    }
  }

  private void step(int target, int[] ctx) {
    int v = vocab.size();
    boolean softmax = config.loss == ModelConfig.LossKind.SOFTMAX;
    if (!softmax) maybeRebuildNoise(v);
    boolean evaluate = softmax || evaluation.due(v, tokens);
    boolean train = keep(target);
    if (observer != null) observer.token(target, v, evaluate);
    if (!evaluate && !train) return;
    if (train && !softmax) {
      if (batch != null) {
        if (batch.isEmpty()) drawShared(batch.negatives());
      } else {
        drawNegatives(target); // the same RNG draws as after the forward: nothing between draws
        if (stepThread == null) output.prefetch(target, negatives); // misses overlap the forward
      }
    }
    if (evaluate) evaluation.evaluate(target, ctx, v, tokens, softmax);
    if (!train) return;
    trained++;
    RowMarks dirty = trackDirtyRows ? dirtyRows : null;
    if (softmax) {
      Arrays.fill(gradH, 0f);
      output.softmaxBackward(h, target, v, gradH, updater); // evaluate: logProbabilities ran
      if (dirty != null) dirty.markRange(0, v);
      encoder.backward(embeddings, embeddingsAcc, ctx, gradH, updater, dirty);
      return;
    }
    float correction = noise.logitCorrection()[target];
    if (batch != null) {
      float z = batch.add(target, ctx, evaluate ? h : null);
      evaluation.recent().recordCheap(tokens, evaluation.cheapBits(z, correction), 1 / keepP);
      if (batch.isFull()) flushBatch();
      return;
    }
    if (stepThread == null) {
      steps.step(evaluate, target, ctx, negatives, keepP, correction, tokens, dirty);
      return;
    }
    if (dirty != null) {
      dirty.mark(target);
      for (int w : negatives) if (w >= 0) dirty.mark(w);
      for (int w : ctx) dirty.mark(w);
    }
    stepThread.train(target, ctx, negatives, keepP, correction, tokens);
  }

  /** The served mixture, for next-word models with mixture-order > 0. */
  private static NextWordMixture newMixture(ModelConfig c) {
    if (c.mixtureOrder == 0 || c.encoder == ModelConfig.Encoder.CBOW) return null;
    return new NextWordMixture(c.mixtureOrder, c.mixtureNgrams, c.halfLife, c.evalWindow);
  }

  /**
   * The served mixture (null when off): state of the learner, read by snapshots and tests (after a
   * drain: with a step thread it records the mixture's scores and learns its weights).
   */
  public NextWordMixture mixture() {
    drain();
    return mixture;
  }

  /**
   * word2vec's subsampling of frequent words, on decayed frequencies: keep with p = sqrt(t/f) +
   * t/f.
   */
  private boolean keep(int target) {
    double p = keepProbability(target);
    keepP = Math.min(1, p);
    return p >= 1 || rng.nextFloat() < p;
  }

  private double keepProbability(int w) {
    if (config.sample <= 0) return 1;
    double f = vocab.count(w) / vocab.totalCount();
    if (f <= config.sample) return 1;
    double ratio = config.sample / f;
    return Math.min(1, Math.sqrt(ratio) + ratio);
  }

  /** The noise table and logit correction follow the stream's counts (see {@link NoiseModel}). */
  private void maybeRebuildNoise(int v) {
    if (!noise.due(tokens)) return;
    flushBatch(); // a batch's negatives come from one table
    noise.rebuild(vocab, v, tokens, keepProbability);
    evaluation.noiseRebuilt(v);
  }

  /** A mini-batch's k negatives, shared by its targets (each skips a draw of itself). */
  private void drawShared(int[] negs) {
    for (int j = 0; j < negs.length; j++) negs[j] = noise.sample(rng);
  }

  private void drawNegatives(int target) {
    for (int j = 0; j < negatives.length; j++) {
      int w = noise.sample(rng);
      negatives[j] = w == target ? -1 : w; // like word2vec, a draw of the target is skipped
    }
  }

  /** An immutable copy for queries, export and publishing. */
  public ModelSnapshot snapshot(long version) {
    drain();
    int v = vocab.size();
    String[] words = new String[v];
    float[] counts = new float[v];
    for (int i = 0; i < v; i++) {
      words[i] = vocab.word(i);
      counts[i] = (float) vocab.count(i);
    }
    FMatrixRMaj e = new FMatrixRMaj(v, d);
    System.arraycopy(embeddings.data, 0, e.data, 0, v * d);
    FMatrixRMaj w = new FMatrixRMaj(v, hidden);
    System.arraycopy(output.weights.data, 0, w.data, 0, v * hidden);
    FMatrixRMaj b = new FMatrixRMaj(v, 1);
    System.arraycopy(output.bias.data, 0, b.data, 0, v);
    // snapshot users get calibrated logits: the NS correction is folded into the bias
    if (config.loss == ModelConfig.LossKind.NS)
      for (int i = 0; i < v; i++) b.data[i] += noise.logitCorrection()[i];
    FMatrixRMaj[] params = encoder.parameters();
    FMatrixRMaj[] copies = new FMatrixRMaj[params.length];
    for (int i = 0; i < params.length; i++) copies[i] = params[i].copy();
    return new ModelSnapshot(
        version,
        tokens,
        config,
        words,
        counts,
        e,
        w,
        b,
        encoder.parameterNames(),
        copies,
        stats(),
        mixture == null ? null : mixture.copy());
  }

  /** Training statistics, the same names everywhere (metrics topic, snapshots, CLI). */
  public Map<String, Double> stats() {
    drain();
    Map<String, Double> s = new LinkedHashMap<>();
    s.put("tokens", (double) tokens);
    s.put("trained_tokens", (double) trained);
    evaluation.stats(s, tokens);
    s.put("vocab_size", (double) vocab.size());
    s.put("admissions", (double) vocab.admissions());
    s.put("evictions", (double) vocab.evictions());
    s.put("learning_rate", (double) updater.baseRate());
    if (mixture != null) mixture.stats(s);
    return s;
  }

  /**
   * Whether {@link #dirtyRows()} is kept up to date (default on). A caller that never reads it (the
   * offline trainer) turns it off; while off the set is not maintained, so turning it back on must
   * be followed by a full store of the rows.
   */
  public void trackDirtyRows(boolean on) {
    trackDirtyRows = on;
  }

  /** Rows (word slots) whose parameters changed since {@link #clearDirtyRows()}. */
  public RowMarks dirtyRows() {
    drain();
    return dirtyRows;
  }

  public void clearDirtyRows() {
    dirtyRows.clear();
  }

  // The checkpoint: LearnerState frames it (magic, version, CRC) for a file or a changelog; the
  // learner writes and reads its own state, each part (vocabulary, context window, meters, encoder,
  // noise model, mixture) its own bytes. Everything else (the updater, the sampled scorer, the
  // dirty rows, scratch) follows from these.

  /**
   * The global part: config, counters, RNG, vocabulary, context window, meters, the encoder's
   * parameters each followed by its accumulators, noise model, mixture (a presence flag first).
   */
  void writeGlobal(DataOutputStream out) throws IOException {
    drain();
    config.write(out);
    out.writeLong(tokens);
    out.writeLong(trained);
    out.writeLong(evaluation.credit());
    out.writeLong(rng.state());
    vocab.write(out);
    window.write(out);
    evaluation.meter().write(out);
    evaluation.recent().write(out);
    FMatrixRMaj[] params = encoder.parameters();
    float[][] accs = encoder.accumulators();
    for (int i = 0; i < params.length; i++) {
      LearnerState.writeFloats(out, params[i].data, params[i].getNumElements());
      LearnerState.writeFloats(out, accs[i], accs[i].length);
    }
    noise.write(out);
    out.writeBoolean(mixture != null);
    if (mixture != null) mixture.write(out);
  }

  /**
   * A learner from a global part written by checkpoint version {@code version}; its rows are still
   * fresh (see {@link #readRow}). Version 1 had the older meter and no recent meter, versions below
   * 3 no mixture: those parts start as configured.
   */
  static Learner readGlobal(DataInputStream in, int version) throws IOException {
    ModelConfig config = ModelConfig.read(in);
    long tokens = in.readLong();
    long trained = in.readLong();
    long evalCredit = in.readLong();
    long rngState = in.readLong();
    Learner l = new Learner(config, StreamingVocabulary.read(in));
    l.tokens = tokens;
    l.trained = trained;
    l.window.read(in);
    PrequentialMeter meter =
        version == 1 ? PrequentialMeter.readVersion1(in) : PrequentialMeter.read(in);
    RecentMeter recent = version > 1 ? RecentMeter.read(in) : l.evaluation.recent();
    l.evaluation.restore(evalCredit, meter, recent);
    l.steps = l.ownSteps(l.h, l.gradH); // on the restored recent meter
    FMatrixRMaj[] params = l.encoder.parameters();
    float[][] accs = l.encoder.accumulators();
    for (int i = 0; i < params.length; i++) {
      LearnerState.readFloats(in, params[i].data, params[i].getNumElements());
      LearnerState.readFloats(in, accs[i], accs[i].length);
    }
    l.noise.read(in, l.vocab.size());
    if (version >= 3) l.mixture = in.readBoolean() ? NextWordMixture.read(in) : null;
    l.evaluation.setMixture(l.mixture);
    if (l.noise.size() > 0) l.evaluation.noiseRebuilt(l.noise.size());
    // the constructor drew the initial rows from the RNG and marked them; the rows come next
    l.rng.setState(rngState);
    l.updater.restoredAt(tokens);
    l.dirtyRows.clear();
    return l;
  }

  /** Row r (a word slot): E[r] (d), its accumulator, then the output layer's row. */
  void writeRow(int r, FloatBuffer out) {
    drain();
    out.put(embeddings.data, r * d, d).put(embeddingsAcc[r]);
    output.writeRow(r, out);
  }

  /** Reads what {@link #writeRow} wrote into row r. */
  void readRow(int r, FloatBuffer in) {
    in.get(embeddings.data, r * d, d);
    embeddingsAcc[r] = in.get();
    output.readRow(r, in);
  }
}
