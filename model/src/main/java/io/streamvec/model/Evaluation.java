package io.streamvec.model;

import io.streamvec.model.eval.PrequentialMeter;
import io.streamvec.model.eval.RecentMeter;
import io.streamvec.model.eval.SampledScorer;
import io.streamvec.model.lm.NextWordMixture;
import io.streamvec.model.nn.ContextEncoder;
import io.streamvec.model.nn.OutputLayer;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;

/**
 * The prequential evaluation of a {@link Learner}: which tokens are scored (about eval-budget
 * multiply-adds per token, or 1 in eval-every), the model's log probability of a scored target
 * before anything learns from it (the exact softmax, or above eval-exact-vocab words an estimate),
 * and where it goes: the prequential meter, the recent meter's exact sample, the served mixture's
 * scores and weights. Holds the meters and the evaluation credit, which are part of the learner's
 * checkpoint. Shapes: V vocabulary capacity, H encoder output size, v words in use.
 */
final class Evaluation {
  private final ModelConfig config;
  private final int hidden, capacity;
  private final double logNegatives; // log k, a term of every cheap score
  private final FMatrixRMaj embeddings;
  private final ContextEncoder encoder;
  private final OutputLayer output;
  private final NoiseModel noise;
  private final float[] h; // the learner's: its steps reuse the forward of a scored token
  private final SampledScorer sampledScorer; // null: every score is exact
  private PrequentialMeter meter;
  private RecentMeter recent; // fading metrics over the last ~half-life tokens
  private NextWordMixture mixture; // null when off
  private long evalCredit;
  private StepThread stepThread; // null: one thread
  private SharedScoring sharedScoring; // with the step thread: it scores a share of the rows
  private int sharedScoringRows = 4_096; // from this many words in use (fewer: not worth a wake-up)

  Evaluation(
      ModelConfig config,
      FMatrixRMaj embeddings,
      ContextEncoder encoder,
      OutputLayer output,
      NoiseModel noise,
      float[] h) {
    this.config = config;
    this.hidden = config.hiddenSize();
    this.capacity = config.vocabSize;
    this.logNegatives = Math.log(config.negatives);
    this.embeddings = embeddings;
    this.encoder = encoder;
    this.output = output;
    this.noise = noise;
    this.h = h;
    this.sampledScorer =
        config.loss == ModelConfig.LossKind.NS && capacity > config.evalExactVocab
            ? new SampledScorer(capacity, config.evalSample)
            : null;
    this.meter = new PrequentialMeter(config.evalWindow);
    this.recent = new RecentMeter(Learner.DEFAULT_RECENT_HALF_LIFE);
  }

  PrequentialMeter meter() {
    return meter;
  }

  RecentMeter recent() {
    return recent;
  }

  long credit() {
    return evalCredit;
  }

  /** The state a checkpoint held (see {@link Learner#readGlobal}). */
  void restore(long credit, PrequentialMeter m, RecentMeter r) {
    evalCredit = credit;
    meter = m;
    recent = r;
  }

  void setMixture(NextWordMixture m) {
    mixture = m;
  }

  /** The step thread the exact evaluation's rows are shared with (null: one thread). */
  void setStepThread(StepThread t) {
    stepThread = t;
    sharedScoring = t == null ? null : new SharedScoring();
  }

  /** Tests: share the exact evaluation's rows with the step thread from this many words in use. */
  void shareScoringFrom(int rows) {
    sharedScoringRows = rows;
  }

  /** The noise table was rebuilt over v words: so is the sampled scorer's proposal. */
  void noiseRebuilt(int v) {
    if (sampledScorer != null) sampledScorer.rebuild(noise.weights(), v, noise.sum());
  }

  /**
   * Scoring costs V*H exactly (or less, sampled); spend about eval-budget multiply-adds per token
   * on it (or 1 in eval-every).
   */
  boolean due(int v, long tokens) {
    if (config.evalEvery > 0) return tokens % config.evalEvery == 0;
    long cost = evaluationCost(v);
    evalCredit = Math.min(evalCredit + config.evalBudget, cost);
    if (evalCredit < cost) return false;
    evalCredit = 0;
    return true;
  }

  /**
   * Scores target (the tokens-th token) after context ctx over the v words in use, before anything
   * learns from it; leaves the forward of ctx in h.
   */
  void evaluate(int target, int[] ctx, int v, long tokens, boolean softmax) {
    if (stepThread != null) stepThread.drain(); // the forward reads every step before it
    encoder.forward(embeddings, ctx, h);
    if (sampledScoring(v)) scoreMixture(scoreSampled(v, target, tokens), v, target);
    else score(logProbabilities(v, softmax ? null : noise.logitCorrection()), v, target);
    recordRecentScore(target, v, tokens, softmax);
  }

  /** The per-token signal of the recent meter (see {@link NsSteps#cheapBits}). */
  double cheapBits(float score, float correction) {
    return NsSteps.cheapBits(score, correction, logNegatives);
  }

  /** The meters' statistics under the names of {@link Learner#stats()}. */
  void stats(Map<String, Double> s, long tokens) {
    s.put("scored_tokens", (double) meter.scored());
    s.put("cross_entropy_bits", meter.crossEntropyBits());
    s.put("perplexity", meter.perplexity());
    s.put("top1", meter.top1());
    s.put("top5", meter.top5());
    s.put("window_cross_entropy_bits", meter.windowCrossEntropyBits());
    s.put("window_perplexity", meter.windowPerplexity());
    s.put("window_top1", meter.windowTop1());
    s.put("window_top5", meter.windowTop5());
    s.put("recent_cross_entropy_bits", recent.crossEntropyBits());
    s.put("recent_perplexity", recent.perplexity());
    s.put("recent_exact_perplexity", Math.pow(2, recent.exactCrossEntropyBits()));
    s.put("recent_top1", recent.top1());
    s.put("recent_top5", recent.top5());
    s.put("recent_calibration_bits", recent.calibrationBits());
    s.put("recent_scored_tokens", recent.exactSampleSize(tokens));
  }

  /** log p(. | h) over the v words in use, the rows shared with the step thread if there is one. */
  private float[] logProbabilities(int v, float[] correction) {
    if (sharedScoring == null || v < sharedScoringRows)
      return output.logProbabilities(h, v, correction);
    return sharedScoring.logProbabilities(v, correction);
  }

  /**
   * The exact evaluation's rows shared with the step thread, which has nothing to do after the
   * drain before it: the caller scores the first rows and their exp terms, the step thread the
   * rest; the terms are summed in row order ({@link OutputLayer#normalise}), so the log
   * probabilities are the bits of one thread. Nothing is allocated per evaluation.
   */
  private final class SharedScoring implements Runnable {
    private final double[] terms = new double[capacity];
    private int from, to;
    private float[] correction;
    private float max; // of the step thread's rows, then of all rows
    private boolean exps;

    @Override
    public void run() { // on the step thread
      if (exps) output.expRows(from, to, max, terms);
      else max = output.scoreRows(h, from, to, correction);
    }

    float[] logProbabilities(int v, float[] c) {
      int m = (int) (v * 9L / 16); // the caller's share: the step thread's usually ends first
      from = m;
      to = v;
      correction = c;
      exps = false;
      stepThread.runBeside(this);
      float callers = output.scoreRows(h, 0, m, c);
      stepThread.drain();
      max = Math.max(callers, max);
      exps = true;
      stepThread.runBeside(this);
      output.expRows(0, m, max, terms);
      stepThread.drain();
      return output.normalise(v, max, terms);
    }
  }

  /** Above eval-exact-vocab words in use, scores are estimated at a cost independent of V. */
  private boolean sampledScoring(int v) {
    return sampledScorer != null && v > config.evalExactVocab && noise.size() > 0;
  }

  /** Exact prequential scores of the model and of the served mixture, before learning. */
  private void score(float[] logp, int v, int target) {
    meter.record(logp, v, target);
    scoreMixture(logp[target], v, target);
  }

  private void scoreMixture(double modelLogP, int v, int target) {
    if (mixture != null) mixture.score(modelLogP, v, target);
  }

  /** Records the estimated score in meter; returns the estimated log p(target). */
  private double scoreSampled(int v, int target, long tokens) {
    return sampledScorer.score(
        meter,
        output.weights.data,
        output.bias.data,
        noise.logitCorrection(),
        h,
        hidden,
        v,
        target,
        noise.table(),
        noise.weights(),
        noise.sum(),
        config.seed,
        tokens);
  }

  /**
   * The recent meter's share of the prequential score just recorded in meter (h is the target's
   * context): the scored sample, and the per-token signal's value on the same token.
   */
  private void recordRecentScore(int target, int v, long tokens, boolean softmax) {
    double bits = meter.lastBits();
    double cheap =
        softmax ? bits : cheapBits(output.score(h, target), noise.logitCorrection()[target]);
    recent.recordExact(tokens, bits, meter.lastTop1(), meter.lastTop5(), cheap, scoringInterval(v));
    if (softmax) recent.recordCheap(tokens, bits, 1);
  }

  /** Tokens per scored token at vocabulary size v (see {@link #due}). */
  private double scoringInterval(int v) {
    if (config.loss == ModelConfig.LossKind.SOFTMAX) return 1;
    if (config.evalEvery > 0) return config.evalEvery;
    return Math.max(1.0, (double) evaluationCost(v) / config.evalBudget);
  }

  /** Multiply-adds of one prequential score at vocabulary size v. */
  private long evaluationCost(int v) {
    return sampledScoring(v) ? sampledScorer.cost(v, hidden) : (long) v * hidden;
  }
}
