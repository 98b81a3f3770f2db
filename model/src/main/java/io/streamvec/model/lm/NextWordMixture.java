package io.streamvec.model.lm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Map;

/**
 * What next-word prediction serves: the neural model's calibrated distribution mixed with a bounded
 * Kneser-Ney n-gram model of the same stream, p(w) = lambda_b p_model(w) + (1 - lambda_b)
 * p_ngram(w), lambda_b learned online per bucket b of the n-gram context's count ({@link
 * MixtureWeights}). Both parts are normalised over the same v words, so the mixture is too.
 *
 * <p>Prequential: on a token the learner scores, {@link #score} prices the target with all three
 * (model, n-gram, mixture) before anything learns from it, then takes the weights' EM step; {@link
 * #count} then adds every token to the n-gram. Part of the learner's checkpoint ({@link #write}).
 */
public final class NextWordMixture {
  private static final double LN2 = Math.log(2);

  private final BoundedKneserNey ngram;
  private final MixtureWeights weights;
  private final PairedScores scores;
  private BitsLog servedLog; // optional, not state: every scored token's served bits

  public NextWordMixture(int order, int capacity, double halfLife, int window) {
    this(
        new BoundedKneserNey(order, capacity, halfLife),
        new MixtureWeights(),
        new PairedScores(window));
  }

  private NextWordMixture(BoundedKneserNey ngram, MixtureWeights weights, PairedScores scores) {
    this.ngram = ngram;
    this.weights = weights;
    this.scores = scores;
  }

  public BoundedKneserNey ngram() {
    return ngram;
  }

  public MixtureWeights weights() {
    return weights;
  }

  public PairedScores scores() {
    return scores;
  }

  /** Appends the served bits of each scored token to log from now on (null: stop). */
  public void logServedBits(BitsLog log) {
    servedLog = log;
  }

  public void slotAssigned(int slot, boolean reused) {
    ngram.slotAssigned(slot, reused);
  }

  /** Scores target (model's natural-log probability modelLogP over v words), then learns lambda. */
  public void score(double modelLogP, int v, int target) {
    double pNgram = ngramProbability(target, v);
    combine(modelLogP, pNgram, lastBucket());
  }

  /**
   * The n-gram's part of {@link #score}: p_ngram(target) over v words after the current context,
   * before {@link #count}(target); {@link #lastBucket} is then the context's weight bucket.
   */
  public double ngramProbability(int target, int v) {
    return ngram.probability(target, v);
  }

  /** The weight bucket of the context of the last {@link #ngramProbability}. */
  public int lastBucket() {
    return MixtureWeights.bucket(ngram.lastContextTotal());
  }

  /**
   * The rest of {@link #score} (the mixture's score and the weights' EM step), possibly later than
   * the n-gram's part but in the order of the scored tokens: the weights learn in that order.
   */
  public void combine(double modelLogP, double pNgram, int b) {
    double pModel = Math.exp(modelLogP);
    double l = weights.weight(b);
    double p = l * pModel + (1 - l) * pNgram;
    double servedBits = -Math.log(p) / LN2;
    scores.record(-modelLogP / LN2, -Math.log(pNgram) / LN2, servedBits);
    if (servedLog != null) servedLog.add(servedBits);
    weights.update(b, pModel, pNgram);
  }

  /** Starts the memory loads of {@link #count}(target) early; changes no state. */
  public void prefetch(int target) {
    ngram.prefetch(target);
  }

  /** Adds target to the n-gram counts (every token, after scoring). */
  public void count(int target) {
    ngram.count(target);
  }

  /**
   * The served distribution after context hist (slots, most recent first): out[w] = lambda
   * pModel[w] + (1 - lambda) p_ngram(w | hist) for w in [0, v). Read-only: concurrent calls are
   * safe.
   */
  public void mix(double[] pModel, int v, int[] hist, double[] out) {
    double l = weights.weight(MixtureWeights.bucket(ngram.contextTotal(hist)));
    for (int w = 0; w < v; w++)
      out[w] = l * pModel[w] + (1 - l) * ngram.probability(w, v, hist, false);
  }

  /** Statistics under the names of {@link io.streamvec.model.Learner#stats()}. */
  public void stats(Map<String, Double> s) {
    s.put("served_scored_tokens", (double) scores.scored());
    put(s, "served", PairedScores.MIXTURE);
    put(s, "served_model", PairedScores.MODEL);
    put(s, "served_ngram", PairedScores.NGRAM);
    s.put("served_vs_ngram", scores.mixtureRatio(PairedScores.NGRAM, 0));
    s.put("served_vs_ngram_low", scores.mixtureRatio(PairedScores.NGRAM, -1));
    s.put("served_vs_ngram_high", scores.mixtureRatio(PairedScores.NGRAM, 1));
    s.put("served_vs_model", scores.mixtureRatio(PairedScores.MODEL, 0));
    s.put("served_vs_model_low", scores.mixtureRatio(PairedScores.MODEL, -1));
    s.put("served_vs_model_high", scores.mixtureRatio(PairedScores.MODEL, 1));
    s.put("served_weight_unseen_context", weights.weight(0));
    s.put("served_ngram_stored", (double) ngram.storedNgrams());
  }

  private void put(Map<String, Double> s, String name, int p) {
    s.put(name + "_perplexity", scores.perplexity(p));
    s.put(name + "_perplexity_low", scores.perplexityBound(p, -1));
    s.put(name + "_perplexity_high", scores.perplexityBound(p, 1));
    s.put(name + "_window_perplexity", scores.windowPerplexity(p));
  }

  /** An independent copy in the same state, e.g. for a snapshot. */
  public NextWordMixture copy() {
    return new NextWordMixture(ngram.copy(), weights.copy(), scores.copy());
  }

  public void write(DataOutput out) throws IOException {
    ngram.write(out);
    weights.write(out);
    scores.write(out);
  }

  public static NextWordMixture read(DataInput in) throws IOException {
    BoundedKneserNey ngram = BoundedKneserNey.read(in);
    MixtureWeights weights = MixtureWeights.read(in);
    return new NextWordMixture(ngram, weights, PairedScores.read(in));
  }
}
