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
 * checkpoint. Shapes: V vocabulary capacity, H encoder output size, P context words, v words in
 * use.
 *
 * <p>With a step thread ({@link StepThread}) an exact evaluation is queued in the ring like a step
 * ({@link Deferred}): the step thread scores the token against exactly the parameters one thread
 * would (after the steps of the tokens before it, before its own), and records the results in the
 * same order as one thread, later; the caller does not wait. So the meters and the mixture's scores
 * and weights belong to the step thread until a drain: whoever reads them drains first (the
 * learner's accessors do).
 */
final class Evaluation {
  private final ModelConfig config;
  private final int hidden, capacity, positions;
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
  private static final int DEFERRED = 16;
  private Deferred[] deferred; // with the step thread: evaluations queued on it, used in turn
  private int nextDeferred;
  private float[] stepH; // the step thread's forward of a deferred evaluation

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
    this.positions = config.contextPositions();
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

  /** The step thread exact evaluations are queued on (null: one thread). */
  void setStepThread(StepThread t) {
    stepThread = t;
    // a few, so that the caller may run a ring ahead of the step thread: at 50k words one token
    // in ~12,500 is scored (more often while the vocabulary is small)
    deferred = t == null ? null : new Deferred[DEFERRED];
    for (int i = 0; t != null && i < DEFERRED; i++) deferred[i] = new Deferred();
    stepH = t == null ? null : new float[hidden];
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
   * learns from it; on one thread it leaves the forward of ctx in h (the step reuses it), with a
   * step thread an exact evaluation is queued there.
   */
  void evaluate(int target, int[] ctx, int v, long tokens, boolean softmax) {
    boolean sampled = sampledScoring(v);
    if (stepThread != null && !sampled) {
      defer(target, ctx, v, tokens);
      return;
    }
    if (stepThread != null) stepThread.drain(); // the forward reads every step before it
    encoder.forward(embeddings, ctx, h);
    float[] correction = softmax ? null : noise.logitCorrection();
    if (sampled) {
      double logP = scoreSampled(v, target, tokens);
      if (mixture != null) mixture.score(logP, v, target);
    } else {
      float[] logp = output.logProbabilities(h, v, correction);
      meter.record(logp, v, target);
      if (mixture != null) mixture.score(logp[target], v, target);
    }
    recordRecentScore(h, target, v, tokens, correction);
  }

  /**
   * Queues the exact evaluation of target on the step thread. What it reads of the caller's state
   * is copied now: the context, the noise correction (rebuilds and new words change it meanwhile)
   * and the mixture's n-gram part (the n-gram counts this token next).
   */
  private void defer(int target, int[] ctx, int v, long tokens) {
    Deferred e = deferred[nextDeferred];
    nextDeferred = (nextDeferred + 1) % deferred.length;
    stepThread.awaitApplied(e.place); // it ran long ago, unless evaluations come every few tokens
    e.target = target;
    e.v = v;
    e.tokens = tokens;
    System.arraycopy(ctx, 0, e.ctx, 0, positions);
    System.arraycopy(noise.logitCorrection(), 0, e.correction, 0, v);
    if (mixture != null) {
      e.pNgram = mixture.ngramProbability(target, v);
      e.bucket = mixture.lastBucket();
    }
    e.place = stepThread.queue(e);
  }

  /**
   * An exact evaluation run by the step thread in stream order: the same forward, log probabilities
   * and records as {@link #evaluate} on one thread, on copies of the caller's state at the token.
   * Preallocated: nothing is allocated per evaluation.
   */
  private final class Deferred implements Runnable {
    private final int[] ctx = new int[positions];
    private final float[] correction = new float[capacity];
    private int target, v, bucket;
    private long tokens, place;
    private double pNgram;

    @Override
    public void run() { // on the step thread
      encoder.forward(embeddings, ctx, stepH);
      float[] logp = output.logProbabilities(stepH, v, correction);
      meter.record(logp, v, target);
      if (mixture != null) mixture.combine(logp[target], pNgram, bucket);
      recordRecentScore(stepH, target, v, tokens, correction);
    }
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

  /** Above eval-exact-vocab words in use, scores are estimated at a cost independent of V. */
  private boolean sampledScoring(int v) {
    return sampledScorer != null && v > config.evalExactVocab && noise.size() > 0;
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
   * context; correction the noise correction, null for softmax): the scored sample, and the
   * per-token signal's value on the same token.
   */
  private void recordRecentScore(float[] h, int target, int v, long tokens, float[] correction) {
    boolean softmax = correction == null;
    double bits = meter.lastBits();
    double cheap = softmax ? bits : cheapBits(output.score(h, target), correction[target]);
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
