package io.streamvec.model.nn;

import io.streamvec.model.ModelConfig;

/**
 * Sparse SGD step on one matrix row: row -= rate * g. ADAGRAD keeps one accumulator per row
 * (row-wise AdaGrad: a float per row instead of per weight, the usual choice for embedding tables),
 * rate = lr / sqrt(acc + eps) with acc += mean(g^2). SGD uses the constant rate lr. Neither decays
 * to zero on a schedule.
 *
 * <p><b>Fading accumulators</b> (half-life T tokens, 0 = never): acc(t) = sum over the row's past
 * steps i of mean(g_i^2) 2^-(tau(t) - tau(t_i)), so a row trained through one topic takes full
 * steps again once the stream has moved on, as a fresh row would. tau is time in half-lives on a
 * grid of 1/1024 half-life within each period of 32 half-lives: tau(t) = 32 floor(t / 32T) + n(t) /
 * 1024, n(t) = floor(1024 (t - p) / T), p = 32T floor(t / 32T) the period's first token.
 *
 * <p>Fading costs no O(V) work per token: an array holds stored values a = acc * 2^(n/1024), so a
 * step adds mean(g^2) * 2^(n/1024) and reads acc = a * 2^(-n/1024); time passing changes only n,
 * and 2^(n/1024) is an exact power-of-two scaling of one of 1024 table entries. Every 32 half-lives
 * (at p) every stored value is multiplied by 2^-32, which is exact in floating point (bar values
 * under 2^-94, which have faded to nothing) and keeps the factor in [1, 2^32). So the state is the
 * arrays plus the token count: a learner restored at token t continues bit for bit. With T = 0 the
 * factors are exactly 1 and the arithmetic is plain AdaGrad's.
 */
public final class RowUpdater {
  private static final float EPS = 1e-6f;

  /** Half-lives between renormalisations: stored values grow to at most 2^32 times acc. */
  static final int RENORM_HALF_LIVES = 32;

  private static final float RENORM_FACTOR = 0x1p-32f;
  private static final int GRID_PER_HALF_LIFE = 1024;
  // 2^(k/1024) and 2^(-k/1024), k = 0..1023: the factors between grid points of one half-life
  private static final float[] UP = new float[GRID_PER_HALF_LIFE], DOWN = new float[UP.length];

  static {
    for (int k = 0; k < UP.length; k++) {
      UP[k] = (float) StrictMath.pow(2.0, (double) k / GRID_PER_HALF_LIFE);
      DOWN[k] = (float) StrictMath.pow(2.0, (double) -k / GRID_PER_HALF_LIFE);
    }
  }

  /** Largest half-life: 1024 * 32 half-lives of tokens must fit a long. */
  public static final long MAX_HALF_LIFE = 1_000_000_000_000L;

  private final boolean adagrad;
  private final float lr;
  private final long halfLife; // tokens; 0: accumulators never fade
  private final long period; // RENORM_HALF_LIVES * halfLife tokens
  private final float[][] fading; // every accumulator array this updater steps
  private long periodEnd; // token at which the stored values are next multiplied by 2^-32
  private long nextGridPoint; // first token of grid point n + 1 (or of the next period)
  private float growth = 1f; // g(t): acc -> stored
  private float shrink = 1f; // 1 / g(t): stored -> acc

  public RowUpdater(ModelConfig.Optimizer kind, double lr) {
    this(kind, lr, 0, new float[0][]);
  }

  /**
   * An updater whose AdaGrad accumulators (the arrays in accumulators, every one it will be asked
   * to step) fade with a half-life of halfLifeTokens tokens of the clock given to {@link #advance}
   * (0: never).
   */
  public RowUpdater(
      ModelConfig.Optimizer kind, double lr, long halfLifeTokens, float[][] accumulators) {
    if (halfLifeTokens < 0 || halfLifeTokens > MAX_HALF_LIFE)
      throw new IllegalArgumentException("half-life out of range: " + halfLifeTokens);
    this.adagrad = kind == ModelConfig.Optimizer.ADAGRAD;
    this.lr = (float) lr;
    this.halfLife = adagrad ? halfLifeTokens : 0;
    this.period = RENORM_HALF_LIVES * halfLife;
    this.fading = accumulators.clone();
    restoredAt(0);
  }

  public boolean isAdagrad() {
    return adagrad;
  }

  public float baseRate() {
    return lr;
  }

  /**
   * Moves the clock to token t (the learner's token count, t-1 before): recomputes the factors on
   * each grid point and renormalises every accumulator array at the end of each period. Returns
   * true when it renormalised, i.e. changed the stored accumulator of every row.
   */
  public boolean advance(long t) {
    if (halfLife == 0 || t < nextGridPoint) return false;
    boolean renormalised = false;
    while (t >= periodEnd) {
      for (float[] a : fading) for (int i = 0; i < a.length; i++) a[i] *= RENORM_FACTOR;
      periodEnd += period;
      renormalised = true;
    }
    setFactors(t);
    return renormalised;
  }

  /**
   * Sets the clock to token t of a restored learner whose arrays hold the values stored at t (after
   * {@link #advance}(t)): no renormalisation, the factors of t.
   */
  public void restoredAt(long t) {
    if (halfLife == 0) {
      nextGridPoint = Long.MAX_VALUE;
      return;
    }
    periodEnd = (t / period + 1) * period;
    setFactors(t);
  }

  private void setFactors(long t) {
    long start = periodEnd - period;
    int n = (int) ((t - start) * GRID_PER_HALF_LIFE / halfLife); // < 32 * 1024
    growth = Math.scalb(UP[n % GRID_PER_HALF_LIFE], n / GRID_PER_HALF_LIFE);
    shrink = Math.scalb(DOWN[n % GRID_PER_HALF_LIFE], -(n / GRID_PER_HALF_LIFE));
    // ceil((n + 1) T / 1024) tokens into the period: the first token of grid point n + 1
    long next = start + ((n + 1) * halfLife + GRID_PER_HALF_LIFE - 1) / GRID_PER_HALF_LIFE;
    nextGridPoint = Math.min(periodEnd, next);
  }

  /** The faded accumulator (acc above) that stored value a stands for now. */
  public float accumulator(float a) {
    return a * shrink;
  }

  /** The rate the next step of that row would use if its gradient had mean square ms. */
  public float rate(float[] acc, int row, float ms) {
    if (!adagrad) return lr;
    float a = acc[row] + ms * growth;
    acc[row] = a;
    return (float) (lr / Math.sqrt(a * shrink + EPS));
  }

  /** data[row] -= rate * scale * g, g = src[so .. so+n), AdaGrad statistics on scale * g. */
  public void step(float[] data, float[] acc, int row, int n, float scale, float[] src, int so) {
    float r = adagrad ? rate(acc, row, scale * scale * VectorMath.meanSquare(src, so, n)) : lr;
    VectorMath.axpy(-r * scale, src, so, data, row * n, n);
  }

  /**
   * Same as {@link #step} when the caller knows mean(src^2) already: the output rows' gradient is g
   * * h for one h per token, so mean((g h)^2) = g^2 mean(h^2) is computed once, not per row.
   */
  public void stepKnownMeanSquare(
      float[] data,
      float[] acc,
      int row,
      int n,
      float scale,
      float[] src,
      int so,
      float srcMeanSquare) {
    float r = adagrad ? rate(acc, row, scale * scale * srcMeanSquare) : lr;
    VectorMath.axpy(-r * scale, src, so, data, row * n, n);
  }

  /** A scalar parameter (bias b[row]) with gradient g. */
  public void stepScalar(float[] data, float[] acc, int row, float g) {
    float r = adagrad ? rate(acc, row, g * g) : lr;
    data[row] -= r * g;
  }
}
