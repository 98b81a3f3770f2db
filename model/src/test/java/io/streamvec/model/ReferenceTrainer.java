package io.streamvec.model;

import io.streamvec.model.nn.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A second implementation of online training, written apart from {@link Learner} in plain double
 * loops, for the position-weighted encoders (lbl: the L previous words; cbow: L words each side)
 * with negative sampling or the exact softmax, and row-wise AdaGrad or SGD.
 *
 * <p>Shapes: V words, d embedding size, P context positions (L, or 2L for cbow), k negatives. E (V,
 * d), W (V, d), b (V), C (P, d) position weights; one optimiser accumulator per row of each.
 *
 * <p>Per token x_t, after counting it: the target t (x_t; cbow: the centre x_{t-L}) is kept with p
 * = min(1, sqrt(s/f) + s/f), f = count(t) / tokens (one uniform draw when p < 1); if kept: h =
 * sum_i C_i (.) E[ctx_i]; negative sampling: k noise words from q(w) ~ count(w)^0.75 (a draw of t
 * is skipped), then for t (label 1) and each noise word (label 0) in turn: g = sig(W[w].h + b[w]) -
 * label, dL/dh += g W[w], W[w] -= rate g h, b[w] -= rate g; softmax: g_w = p(w|h) - 1[w = t] for
 * every w, dL/dh = sum_w g_w W[w], then every W[w], b[w] steps; finally dL/dC_i = E[ctx_i] (.)
 * dL/dh and dL/dE[ctx_i] = C_i (.) dL/dh from pre-update values, then position by position C_i and
 * E[ctx_i] step. A step of row r with gradient G: AdaGrad acc_r += mean(G^2), rate = lr /
 * sqrt(acc_r + 1e-6); SGD rate = lr. New rows: E uniform in [-0.5/d, 0.5/d), W and b zero.
 *
 * <p>What must match the learner draw for draw is taken from its documentation: the generator
 * (SplitMix64, the project's {@link Rng}: the only shared class besides the tokenizer, because
 * re-typing its three constants would be copying, not checking), one draw per new E row element in
 * the order rows are created, the subsampling draw before the noise draws, the noise table's
 * rebuild schedule (every min(noise-refresh, max(64, tokens/2)) tokens) and its sampler (Walker's
 * alias table ({@link ReferenceAlias}) built by Vose's method with last-in-first-out work lists; a
 * draw takes the column from the high 32 bits of one nextLong and the coin from its low 24 bits).
 * The vocabulary is made trivial on purpose: min-count 1, a capacity above the number of word types
 * and no decay, so a word gets the next id when first seen and its count is its number of
 * occurrences.
 */
final class ReferenceTrainer {
  final int d, positions, context, negatives, capacity;
  final boolean cbow, softmax, adagrad;
  final double lr, sample, noisePower;
  final long noiseRefresh;
  final Rng rng;

  final Map<String, Integer> ids = new HashMap<>();
  final List<String> words = new ArrayList<>();
  final double[] counts; // (V)
  long tokens, trained;
  final int[] history; // the last P (cbow: 2L+1) ids, oldest first

  final double[][] e, w, c; // E (V, d), W (V, d), C (P, d)
  final double[] b, eAcc, wAcc, bAcc, cAcc;

  final float[] noiseWeights; // (V) count^0.75 at the last rebuild, as the table holds them
  final double[] logitCorrection; // (V) log q(w) - log keep(w), folded into a snapshot's bias
  double noiseSum;
  int noiseCount;
  long noiseBuiltAt;
  ReferenceAlias noiseTable = new ReferenceAlias(new float[0], 0);

  ReferenceTrainer(ModelConfig config) {
    if (config.encoder == ModelConfig.Encoder.BENGIO
        || config.minCount != 1
        || config.halfLife < 1e16) {
      throw new IllegalArgumentException("reference needs lbl/cbow, min-count 1, no decay");
    }
    d = config.dim;
    context = config.context;
    cbow = config.encoder == ModelConfig.Encoder.CBOW;
    positions = cbow ? 2 * context : context;
    negatives = config.negatives;
    capacity = config.vocabSize;
    softmax = config.loss == ModelConfig.LossKind.SOFTMAX;
    adagrad = config.optimizer == ModelConfig.Optimizer.ADAGRAD;
    lr = config.lr;
    sample = config.sample;
    noisePower = config.noisePower;
    noiseRefresh = config.noiseRefresh;
    rng = new Rng(config.seed);
    counts = new double[capacity];
    e = new double[capacity][d];
    w = new double[capacity][d];
    b = new double[capacity];
    eAcc = new double[capacity];
    wAcc = new double[capacity];
    bAcc = new double[capacity];
    noiseWeights = new float[capacity];
    logitCorrection = new double[capacity];
    c = new double[positions][d];
    cAcc = new double[positions];
    for (double[] row : c) java.util.Arrays.fill(row, cbow ? 1.0 : 1.0 / positions);
    history = new int[cbow ? positions + 1 : positions];
    newWord("<unk>");
    newWord("</s>");
    java.util.Arrays.fill(history, 1); // the stream starts as if after a sentence end
  }

  private int newWord(String word) {
    int id = words.size();
    if (id == capacity) throw new IllegalStateException("reference vocabulary is full");
    ids.put(word, id);
    words.add(word);
    for (int j = 0; j < d; j++) e[id][j] = (rng.nextFloat() - 0.5) / d;
    logitCorrection[id] = noiseSum > 0 ? -Math.log(noiseSum) : 0; // q of a word seen once
    return id;
  }

  void learnToken(String word) {
    Integer known = ids.get(word);
    int id = known != null ? known : newWord(word);
    counts[id]++;
    tokens++;
    int[] ctx = new int[positions];
    if (cbow) {
      // history = x_{t-2L} .. x_t; centre x_{t-L}; ctx = L left (nearest first), then L right
      System.arraycopy(history, 1, history, 0, history.length - 1);
      history[history.length - 1] = id;
      if (tokens <= context) return;
      for (int i = 0; i < context; i++) {
        ctx[i] = history[context - 1 - i];
        ctx[context + i] = history[context + 1 + i];
      }
      step(history[context], ctx);
    } else {
      for (int i = 0; i < positions; i++) ctx[i] = history[positions - 1 - i]; // x_{t-1-i}
      step(id, ctx);
      System.arraycopy(history, 1, history, 0, positions - 1);
      history[positions - 1] = id;
    }
  }

  private double keepProbability(int word) {
    double f = counts[word] / tokens;
    if (sample <= 0 || f <= sample) return 1;
    return Math.min(1, Math.sqrt(sample / f) + sample / f);
  }

  private void step(int target, int[] ctx) {
    int v = words.size();
    if (!softmax) maybeRebuildNoise(v);
    double keep = keepProbability(target);
    if (keep < 1 && rng.nextFloat() >= keep) return;
    trained++;
    double[] h = new double[d], gradH = new double[d];
    for (int i = 0; i < positions; i++) for (int j = 0; j < d; j++) h[j] += c[i][j] * e[ctx[i]][j];
    if (softmax) {
      double[] g = new double[v];
      double max = Double.NEGATIVE_INFINITY, z = 0;
      for (int u = 0; u < v; u++) max = Math.max(max, g[u] = dot(w[u], h) + b[u]);
      for (int u = 0; u < v; u++) z += Math.exp(g[u] - max);
      for (int u = 0; u < v; u++) {
        g[u] = Math.exp(g[u] - max) / z - (u == target ? 1 : 0);
        for (int j = 0; j < d; j++) gradH[j] += g[u] * w[u][j];
      }
      for (int u = 0; u < v; u++) outputStep(u, g[u], h);
    } else {
      int[] samples = new int[negatives];
      for (int j = 0; j < negatives; j++) {
        int drawn = noiseTable.size() == 0 ? -1 : noiseTable.sample(rng.nextLong());
        samples[j] = drawn == target ? -1 : drawn;
      }
      for (int j = -1; j < negatives; j++) {
        int u = j < 0 ? target : samples[j];
        if (u < 0) continue;
        double g = 1 / (1 + Math.exp(-(dot(w[u], h) + b[u]))) - (j < 0 ? 1 : 0);
        for (int k = 0; k < d; k++) gradH[k] += g * w[u][k];
        outputStep(u, g, h);
      }
    }
    double[][] gradC = new double[positions][d], gradE = new double[positions][d];
    for (int i = 0; i < positions; i++)
      for (int j = 0; j < d; j++) {
        gradC[i][j] = e[ctx[i]][j] * gradH[j];
        gradE[i][j] = c[i][j] * gradH[j];
      }
    for (int i = 0; i < positions; i++) {
      rowStep(c[i], cAcc, i, gradC[i]);
      rowStep(e[ctx[i]], eAcc, ctx[i], gradE[i]);
    }
  }

  private void outputStep(int u, double g, double[] h) {
    double[] grad = new double[d];
    for (int j = 0; j < d; j++) grad[j] = g * h[j];
    rowStep(w[u], wAcc, u, grad);
    double[] bias = {b[u]};
    rowStep(bias, bAcc, u, new double[] {g});
    b[u] = bias[0];
  }

  private void rowStep(double[] row, double[] acc, int r, double[] grad) {
    double rate = lr;
    if (adagrad) {
      acc[r] += dot(grad, grad) / grad.length;
      rate = lr / Math.sqrt(acc[r] + 1e-6);
    }
    for (int j = 0; j < row.length; j++) row[j] -= rate * grad[j];
  }

  private static double dot(double[] x, double[] y) {
    double s = 0;
    for (int j = 0; j < x.length; j++) s += x[j] * y[j];
    return s;
  }

  private void maybeRebuildNoise(int v) {
    long interval = Math.min(noiseRefresh, Math.max(64, tokens / 2));
    if (noiseCount > 0 && tokens - noiseBuiltAt < interval) return;
    noiseSum = 0;
    for (int u = 0; u < v; u++)
      noiseSum += noiseWeights[u] = (float) Math.pow(counts[u], noisePower);
    for (int u = 0; u < v; u++)
      logitCorrection[u] =
          noiseWeights[u] > 0
              ? Math.log(noiseWeights[u] / noiseSum) - Math.log(keepProbability(u))
              : -30;
    noiseCount = v;
    noiseBuiltAt = tokens;
    noiseTable = new ReferenceAlias(noiseWeights, v);
  }
}
