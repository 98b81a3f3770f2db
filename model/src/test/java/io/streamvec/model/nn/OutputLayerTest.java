package io.streamvec.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OutputLayerTest {
  @Test
  void softmaxSumsToOneAndMatchesAReference() {
    Rng rng = new Rng(7);
    OutputLayer out = new OutputLayer(50, 8);
    GradientCheckTest.fill(out.weights, rng, 3f);
    GradientCheckTest.fill(out.bias, rng, 2f);
    float[] h = new float[8];
    for (int j = 0; j < 8; j++) h[j] = rng.nextFloat() * 4 - 2;
    int v = 37; // only the words in use take part
    float[] logp = out.logProbabilities(h, v, null);
    double sum = 0;
    for (int i = 0; i < v; i++) sum += Math.exp(logp[i]);
    assertEquals(1.0, sum, 1e-5);
    // reference in double precision
    double[] s = new double[v];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) {
      for (int j = 0; j < 8; j++) s[i] += (double) out.weights.data[i * 8 + j] * h[j];
      s[i] += out.bias.data[i];
      max = Math.max(max, s[i]);
    }
    double z = 0;
    for (int i = 0; i < v; i++) z += Math.exp(s[i] - max);
    for (int i = 0; i < v; i++)
      assertEquals(s[i] - max - Math.log(z), logp[i], 1e-4, "log p[" + i + "]");
  }

  @Test
  void aliasTableDrawsInProportionToWeights() {
    AliasTable t = new AliasTable();
    float[] w = {0f, 1f, 2f, 3f, 4f};
    t.build(w, w.length);
    Rng rng = new Rng(3);
    int[] hits = new int[w.length];
    int n = 200_000;
    for (int i = 0; i < n; i++) hits[t.sample(rng)]++;
    assertEquals(0, hits[0]);
    for (int i = 1; i < w.length; i++)
      assertEquals(w[i] / 10.0, hits[i] / (double) n, 0.005, "share of outcome " + i);
  }
}
