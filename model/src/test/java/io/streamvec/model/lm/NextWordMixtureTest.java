package io.streamvec.model.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.Rng;
import org.junit.jupiter.api.Test;

class NextWordMixtureTest {

  @Test
  void theMixedDistributionSumsToOneOverTheVocabulary() {
    NextWordMixture m = new NextWordMixture(3, 5_000, 1e18, 100);
    Rng rng = new Rng(3);
    int v = 30;
    for (int s = 2; s < v; s++) m.slotAssigned(s, false);
    double[] model = new double[v], out = new double[v];
    for (int t = 0; t < 20_000; t++) {
      int w = (int) (v * Math.pow(rng.nextFloat(), 2));
      // a made-up model distribution, normalised: what the learner's softmax gives
      double z = 0;
      for (int i = 0; i < v; i++) z += model[i] = Math.exp(3 * rng.nextFloat());
      for (int i = 0; i < v; i++) model[i] /= z;
      m.score(Math.log(model[w]), v, w);
      m.count(w);
      if (t % 1000 == 0) {
        int[] hist = {w, (int) (v * rng.nextFloat())};
        m.mix(model, v, hist, out);
        double sum = 0;
        for (double p : out) sum += p;
        assertEquals(1.0, sum, 1e-9);
      }
    }
    assertTrue(m.ngram().rebuilds() > 0);
  }

  /**
   * Data drawn from a known mixture: a component picked with probability 0.3 (the "model") or 0.7
   * (the "n-gram"); the online weight ends near the maximum-likelihood weight found by a grid
   * search over the same data.
   */
  @Test
  void stepwiseEmFindsTheMaximumLikelihoodWeight() {
    Rng rng = new Rng(17);
    int n = 20_000;
    double[] pm = new double[n], pn = new double[n];
    for (int i = 0; i < n; i++) {
      boolean fromModel = rng.nextFloat() < 0.3;
      double sharp = 0.05 + 0.9 * rng.nextFloat(), flat = 0.001 + 0.01 * rng.nextFloat();
      pm[i] = fromModel ? sharp : flat;
      pn[i] = fromModel ? flat : sharp;
    }
    MixtureWeights w = new MixtureWeights();
    for (int i = 0; i < n; i++) w.update(3, pm[i], pn[i]);
    double best = 0, bestLl = Double.NEGATIVE_INFINITY;
    for (int g = 1; g < 1000; g++) {
      double l = g / 1000.0, ll = 0;
      for (int i = 0; i < n; i++) ll += Math.log(l * pm[i] + (1 - l) * pn[i]);
      if (ll > bestLl) {
        bestLl = ll;
        best = l;
      }
    }
    assertEquals(best, w.weight(3), 0.03);
    assertEquals(0.5, w.weight(2), 0.0); // other buckets untouched
    assertEquals(n, w.updates(3));
  }

  @Test
  void bucketsArePowersOfTwoOfTheContextCount() {
    assertEquals(0, MixtureWeights.bucket(0));
    assertEquals(1, MixtureWeights.bucket(1));
    assertEquals(2, MixtureWeights.bucket(3));
    assertEquals(3, MixtureWeights.bucket(4));
    assertEquals(MixtureWeights.BUCKETS - 1, MixtureWeights.bucket(Integer.MAX_VALUE));
  }
}
