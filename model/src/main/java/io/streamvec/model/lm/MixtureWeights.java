package io.streamvec.model.lm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The weight lambda of the neural model in p = lambda p_model + (1 - lambda) p_ngram, one per
 * bucket of the n-gram context's count (0, 1, 2-3, 4-7, ..., >= 2^(B-2)): where a context has been
 * seen often the n-gram is sharp and earns more weight. Learned online by stepwise EM (Cappé and
 * Moulines 2009) on the tokens it is scored on, after scoring: with the posterior r = lambda
 * p_model / p of the model's component, lambda += eta (r - lambda), eta = max(1 / (n + 2), {@link
 * #MIN_RATE}) after n updates of the bucket, so it settles fast and still follows the stream.
 */
public final class MixtureWeights {
  public static final int BUCKETS = 16;
  static final double MIN_RATE = 1.0 / 2000;
  static final double MIN_WEIGHT = 0.01, MAX_WEIGHT = 0.99;

  private final double[] lambda = new double[BUCKETS];
  private final long[] updates = new long[BUCKETS];

  public MixtureWeights() {
    java.util.Arrays.fill(lambda, 0.5);
  }

  /** Bucket of a context count: 0 for unseen, then one per power of two. */
  public static int bucket(int contextCount) {
    int b = 32 - Integer.numberOfLeadingZeros(Math.max(contextCount, 0));
    return Math.min(BUCKETS - 1, b);
  }

  /** lambda of bucket b. */
  public double weight(int b) {
    return lambda[b];
  }

  public long updates(int b) {
    return updates[b];
  }

  /** One stepwise-EM step of bucket b on a scored token's two probabilities of the target. */
  public void update(int b, double pModel, double pNgram) {
    double l = lambda[b];
    double r = l * pModel / (l * pModel + (1 - l) * pNgram);
    double eta = Math.max(1.0 / (updates[b] + 2), MIN_RATE);
    lambda[b] = Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT, l + eta * (r - l)));
    updates[b]++;
  }

  public MixtureWeights copy() {
    MixtureWeights w = new MixtureWeights();
    System.arraycopy(lambda, 0, w.lambda, 0, BUCKETS);
    System.arraycopy(updates, 0, w.updates, 0, BUCKETS);
    return w;
  }

  public void write(DataOutput out) throws IOException {
    out.writeInt(BUCKETS);
    for (int b = 0; b < BUCKETS; b++) {
      out.writeDouble(lambda[b]);
      out.writeLong(updates[b]);
    }
  }

  public static MixtureWeights read(DataInput in) throws IOException {
    int n = in.readInt();
    if (n != BUCKETS)
      throw new IOException("mixture weights of " + n + " buckets, expected " + BUCKETS);
    MixtureWeights w = new MixtureWeights();
    for (int b = 0; b < BUCKETS; b++) {
      w.lambda[b] = in.readDouble();
      w.updates[b] = in.readLong();
    }
    return w;
  }
}
