package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.ModelConfig;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference check of every loss through every context encoder: the step an SGD update
 * actually takes (divided by its rate) must equal the central difference of the loss. Shapes: V=12
 * words, d=6, P context positions, H = d or the Bengio hidden size 5, k=3.
 */
class GradientCheckTest {
  static final int V = 12, D = 6, HIDDEN = 5;
  static final double EPS = 1e-2, LR = 1e-3;

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource({"lbl,ns", "lbl,softmax", "bengio,ns", "bengio,softmax", "cbow,ns", "cbow,softmax"})
  void updateIsMinusRateTimesGradient(String encoderKind, String lossKind) {
    ModelConfig c =
        ModelConfig.defaults()
            .with("encoder", encoderKind)
            .with("loss", lossKind)
            .with("dim", "" + D)
            .with("hidden", "" + HIDDEN)
            .with("context", "2")
            .with("vocab-size", "" + V);
    Rng rng = new Rng(42);
    ContextEncoder enc = ContextEncoder.create(c);
    for (FMatrixRMaj p : enc.parameters())
      for (int i = 0; i < p.data.length; i++) p.data[i] += (rng.nextFloat() - 0.5f) * 0.6f;
    FMatrixRMaj e = random(V, D, rng, 1f);
    OutputLayer out = new OutputLayer(V, enc.outputSize());
    fill(out.weights, rng, 1f);
    fill(out.bias, rng, 0.5f);
    int[] ctx =
        c.encoder == ModelConfig.Encoder.CBOW
            ? new int[] {3, 4, 5, 3}
            : new int[] {3, 4}; // a repeated word on purpose
    int target = 7;
    int[] negs = {1, 9, 10};
    boolean softmax = lossKind.equals("softmax");

    // central differences of the loss, one coordinate at a time
    float[][] tensors = {e.data, out.weights.data, out.bias.data, enc.parameters()[0].data};
    double[][] numeric = new double[tensors.length][];
    for (int t = 0; t < tensors.length; t++) {
      float[] a = tensors[t];
      numeric[t] = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        float keep = a[i];
        a[i] = keep + (float) EPS;
        double up = loss(enc, out, e, ctx, target, negs, softmax);
        a[i] = keep - (float) EPS;
        double down = loss(enc, out, e, ctx, target, negs, softmax);
        a[i] = keep;
        numeric[t][i] = (up - down) / (2 * EPS);
      }
    }
    // one real SGD step
    float[][] before = new float[tensors.length][];
    for (int t = 0; t < tensors.length; t++) before[t] = tensors[t].clone();
    RowUpdater sgd = new RowUpdater(ModelConfig.Optimizer.SGD, LR);
    float[] h = new float[enc.outputSize()], gradH = new float[enc.outputSize()];
    enc.forward(e, ctx, h);
    if (softmax) {
      out.logProbabilities(h, V, null);
      out.softmaxBackward(h, target, V, gradH, sgd);
    } else out.negativeSamplingStep(h, target, negs, gradH, sgd);
    enc.backward(e, new float[V], ctx, gradH, sgd, new RowMarks(V));

    String[] names = {"E", "W", "b", enc.parameterNames()[0]};
    int checked = 0;
    for (int t = 0; t < tensors.length; t++) {
      for (int i = 0; i < tensors[t].length; i++) {
        double analytic = (before[t][i] - tensors[t][i]) / LR;
        double tol = 2e-3 + 2e-2 * Math.abs(numeric[t][i]);
        assertEquals(
            numeric[t][i],
            analytic,
            tol,
            names[t] + "[" + i + "] (" + encoderKind + ", " + lossKind + ")");
        if (numeric[t][i] != 0) checked++;
      }
    }
    assertTrue(checked > 20, "too few non-zero gradient entries were compared: " + checked);
  }

  static double loss(
      ContextEncoder enc,
      OutputLayer out,
      FMatrixRMaj e,
      int[] ctx,
      int target,
      int[] negs,
      boolean softmax) {
    float[] h = new float[enc.outputSize()];
    enc.forward(e, ctx, h);
    if (softmax) return -out.logProbabilities(h, V, null)[target];
    return out.negativeSamplingStep(h, target, negs, new float[enc.outputSize()], null);
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
