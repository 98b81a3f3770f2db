package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference check of every parameter of every encoder x loss: one real update step must
 * equal what the gradient of the documented loss, taken by central differences of a
 * double-precision re-derivation of that loss ({@link #referenceLoss}), says it should be.
 *
 * <p>Shapes: V=12 words, d=6, L=2 (P = L, or 2L for cbow), H = d, or the Bengio hidden size 5, k=3
 * negatives. Parameters: E (V, d), W (V, H), b (V, 1), and the encoder's own: position weights C
 * (P, d), or Bengio's A (H, P*d) and a0 (H, 1).
 *
 * <p>Equations of the reference: h = sum_i C_i (.) E[ctx_i] (lbl, cbow) or h = tanh(A x + a0), x =
 * [E[ctx_0]; ...; E[ctx_P-1]] (bengio); s(w) = W[w] . h + b[w]; negative sampling loss = -log
 * sig(s(t)) - sum_j log sig(-s(n_j)); softmax loss = -s(t) + log sum_w exp(s(w)).
 *
 * <p>Steps: SGD with rate 1 moves every parameter by exactly -grad (every gradient comes from
 * pre-update values, and a word repeated in the context adds both of its contributions). Row-wise
 * AdaGrad from fresh accumulators moves each row r (of its matrix's width n) by -lr g_r /
 * sqrt(mean(g_r^2) + 1e-6); its context has no repeated word, so every row takes one step.
 */
class GradientCheckTest {
  static final int V = 12, D = 6, HIDDEN = 5;
  static final float FD_STEP = 1e-3f; // central difference over the actual float perturbation
  static final double ADAGRAD_LR = 0.5, ADAGRAD_EPS = 1e-6;

  @ParameterizedTest(name = "{0} + {1} + {2}")
  @CsvSource({
    "lbl,ns,sgd",
    "lbl,softmax,sgd",
    "bengio,ns,sgd",
    "bengio,softmax,sgd",
    "cbow,ns,sgd",
    "cbow,softmax,sgd",
    "lbl,ns,adagrad",
    "lbl,softmax,adagrad",
    "bengio,ns,adagrad",
    "bengio,softmax,adagrad",
    "cbow,ns,adagrad",
    "cbow,softmax,adagrad"
  })
  void oneStepFollowsTheGradientOfTheReferenceLoss(String encoder, String loss, String optimizer) {
    ModelConfig c =
        ModelConfig.defaults()
            .with("encoder", encoder)
            .with("loss", loss)
            .with("optimizer", optimizer)
            .with("dim", "" + D)
            .with("hidden", "" + HIDDEN)
            .with("context", "2")
            .with("vocab-size", "" + V);
    boolean adagrad = c.optimizer == ModelConfig.Optimizer.ADAGRAD;
    boolean softmax = c.loss == ModelConfig.LossKind.SOFTMAX;
    Rng rng = new Rng(42);
    ContextEncoder enc = ContextEncoder.create(c);
    for (FMatrixRMaj p : enc.parameters())
      for (int i = 0; i < p.data.length; i++) p.data[i] += (rng.nextFloat() - 0.5f) * 0.6f;
    FMatrixRMaj e = random(V, D, rng, 1f);
    OutputLayer out = new OutputLayer(V, enc.outputSize());
    fill(out.weights, rng, 1f);
    fill(out.bias, rng, 0.5f);
    boolean cbow = c.encoder == ModelConfig.Encoder.CBOW;
    // cbow with SGD: a word twice in the context on purpose (its E row gets two contributions)
    int[] ctx =
        cbow ? (adagrad ? new int[] {3, 4, 5, 6} : new int[] {3, 4, 5, 3}) : new int[] {3, 4};
    int target = 7;
    int[] negs = {1, 9, 10};

    FMatrixRMaj[] params = withEncoder(new FMatrixRMaj[] {e, out.weights, out.bias}, enc);
    String[] names = withEncoderNames(new String[] {"E", "W", "b"}, enc);
    float[] h = new float[enc.outputSize()];
    enc.forward(e, ctx, h);
    double productionLoss =
        softmax
            ? -out.logProbabilities(h, V, null)[target]
            : out.negativeSamplingStep(h, target, negs, new float[h.length], null);
    double reference = referenceLoss(c, params, ctx, target, negs);
    assertEquals(reference, productionLoss, 1e-5 * Math.max(1, Math.abs(reference)), "loss");

    // central differences of the reference loss, one coordinate at a time
    double[][] grad = new double[params.length][];
    for (int t = 0; t < params.length; t++) {
      float[] a = params[t].data;
      grad[t] = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        float keep = a[i];
        float up = keep + FD_STEP, down = keep - FD_STEP;
        a[i] = up;
        double lossUp = referenceLoss(c, params, ctx, target, negs);
        a[i] = down;
        double lossDown = referenceLoss(c, params, ctx, target, negs);
        a[i] = keep;
        grad[t][i] = (lossUp - lossDown) / ((double) up - down);
      }
    }

    // one real step
    float[][] before = new float[params.length][];
    for (int t = 0; t < params.length; t++) before[t] = params[t].data.clone();
    RowUpdater updater = new RowUpdater(c.optimizer, adagrad ? ADAGRAD_LR : 1.0);
    float[] gradH = new float[h.length];
    enc.forward(e, ctx, h);
    if (softmax) {
      out.logProbabilities(h, V, null);
      out.softmaxBackward(h, target, V, gradH, updater);
    } else out.negativeSamplingStep(h, target, negs, gradH, updater);
    enc.backward(e, new float[V], ctx, gradH, updater, new RowMarks(V));

    for (int t = 0; t < params.length; t++) {
      int checked = 0;
      int n = params[t].numCols; // the optimiser's row width for this matrix
      for (int i = 0; i < params[t].data.length; i++) {
        double expected = grad[t][i];
        if (adagrad) {
          double meanSquare = 0;
          for (int j = i - i % n; j < i - i % n + n; j++) meanSquare += grad[t][j] * grad[t][j] / n;
          expected *= ADAGRAD_LR / Math.sqrt(meanSquare + ADAGRAD_EPS);
        }
        double taken = (double) before[t][i] - params[t].data[i];
        assertEquals(
            expected, taken, 2e-5 + 1e-3 * Math.abs(expected), names[t] + "[" + i + "] " + c);
        if (Math.abs(expected) > 1e-4) checked++;
      }
      // every parameter matrix takes part (a zero gradient everywhere would prove nothing)
      assertTrue(checked >= Math.min(4, params[t].data.length), names[t] + ": " + checked);
    }
    assertEquals(c.encoder == ModelConfig.Encoder.BENGIO ? 5 : 4, params.length);
  }

  /**
   * The documented loss in double precision, from the parameters in the order E, W, b, then the
   * encoder's (position; or hidden.weights, hidden.bias).
   */
  static double referenceLoss(ModelConfig c, FMatrixRMaj[] p, int[] ctx, int target, int[] negs) {
    float[] e = p[0].data, w = p[1].data, b = p[2].data;
    int positions = ctx.length;
    double[] h;
    if (c.encoder == ModelConfig.Encoder.BENGIO) {
      float[] a = p[3].data, a0 = p[4].data;
      h = new double[HIDDEN];
      for (int j = 0; j < HIDDEN; j++) {
        double z = a0[j];
        for (int i = 0; i < positions; i++)
          for (int k = 0; k < D; k++)
            z += (double) a[j * positions * D + i * D + k] * e[ctx[i] * D + k];
        h[j] = Math.tanh(z);
      }
    } else {
      float[] pos = p[3].data;
      h = new double[D];
      for (int i = 0; i < positions; i++)
        for (int k = 0; k < D; k++) h[k] += (double) pos[i * D + k] * e[ctx[i] * D + k];
    }
    double[] s = new double[V];
    for (int v = 0; v < V; v++) {
      s[v] = b[v];
      for (int k = 0; k < h.length; k++) s[v] += w[v * h.length + k] * h[k];
    }
    if (c.loss == ModelConfig.LossKind.SOFTMAX) {
      double max = Double.NEGATIVE_INFINITY, sum = 0;
      for (double x : s) max = Math.max(max, x);
      for (double x : s) sum += Math.exp(x - max);
      return -s[target] + max + Math.log(sum);
    }
    double loss = Math.log1p(Math.exp(-s[target])); // -log sig(s)
    for (int n : negs) loss += Math.log1p(Math.exp(s[n])); // -log sig(-s)
    return loss;
  }

  private static FMatrixRMaj[] withEncoder(FMatrixRMaj[] head, ContextEncoder enc) {
    FMatrixRMaj[] own = enc.parameters();
    FMatrixRMaj[] all = java.util.Arrays.copyOf(head, head.length + own.length);
    System.arraycopy(own, 0, all, head.length, own.length);
    return all;
  }

  private static String[] withEncoderNames(String[] head, ContextEncoder enc) {
    String[] own = enc.parameterNames();
    String[] all = java.util.Arrays.copyOf(head, head.length + own.length);
    System.arraycopy(own, 0, all, head.length, own.length);
    return all;
  }

  static FMatrixRMaj random(int rows, int cols, Rng rng, float scale) {
    FMatrixRMaj m = new FMatrixRMaj(rows, cols);
    fill(m, rng, scale);
    return m;
  }

  static void fill(FMatrixRMaj m, Rng rng, float scale) {
    for (int i = 0; i < m.data.length; i++) m.data[i] = (rng.nextFloat() - 0.5f) * 2 * scale;
  }
}
