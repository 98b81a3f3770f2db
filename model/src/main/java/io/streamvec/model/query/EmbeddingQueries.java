package io.streamvec.model.query;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.RowBlocks;
import io.streamvec.model.lm.NextWordMixture;
import io.streamvec.model.text.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * Read-only queries on one immutable {@link ModelSnapshot}: nearest neighbours, similarity, analogy
 * (cosine on the unit-normalised {@link ModelSnapshot#wordVectors() word vectors}, as the config's
 * export-vectors chooses them, so queries agree with the word2vec export) and next-word prediction
 * (the model's exact softmax, mixed with the snapshot's n-gram model when it has one). Shapes: V
 * words, d embedding size, H = encoder output size, n = word-vector size (d, or d + H for concat),
 * P context positions: U (V, n) unit word vectors, E (V, d), W (V, H), b (V, 1), h (H). U is not
 * stored: a row of U is the word vector times its kept inverse length, computed when a query reads
 * it, so the query form adds V floats to the snapshot rather than a copy of its vectors, and the
 * row blocks of E and W are read where the snapshot holds them (shared between versions).
 *
 * <p>Thread-safe: the state is final and never written after construction; every call uses its own
 * scratch. Word arguments are looked up as given, then, if absent, in the form the tokenizer gives
 * them ("King" finds "king", "1984" finds "&lt;num&gt;"). Unknown words throw {@link
 * UnknownWordException}; k outside 1..{@value #MAX_K} or a null argument throws
 * IllegalArgumentException. &lt;unk&gt; and &lt;/s&gt; (ids 0 and 1) are never returned as
 * neighbours or analogies, nor &lt;unk&gt; as a prediction.
 */
public final class EmbeddingQueries {
  public static final int MAX_K = 1000;

  /**
   * predict() reads only the end of a longer context text: the model sees at most P words anyway.
   */
  public static final int MAX_CONTEXT_CHARS = 10_000;

  static final int UNK = 0, EOS = 1;

  private final ModelSnapshot snapshot;
  private final int n; // word-vector size
  private final float[][]
      inverseNorms; // 1 / |u_i| by blocks of E (1 for zero rows): U = diag(.) U_raw

  public EmbeddingQueries(ModelSnapshot snapshot) {
    this(snapshot, null);
  }

  /**
   * Queries on snapshot that take the unit-length scales of the row blocks it shares with
   * previous's snapshot (the same E and W block arrays) from previous, and compute only the others:
   * following a new version costs time proportional to the blocks it changed. previous may be null
   * or any other snapshot's queries.
   */
  public EmbeddingQueries(ModelSnapshot snapshot, EmbeddingQueries previous) {
    if (snapshot.size() < 2)
      throw new IllegalArgumentException(
          "a snapshot holds at least <unk> and </s>, this one has " + snapshot.size() + " words");
    this.snapshot = snapshot;
    this.n = snapshot.wordVectorDim();
    RowBlocks e = snapshot.embeddingRows();
    this.inverseNorms = new float[e.blockCount()][];
    float[] u = new float[n];
    for (int b = 0; b < inverseNorms.length; b++) {
      inverseNorms[b] = previous == null ? null : previous.sharedNorms(snapshot, b);
      if (inverseNorms[b] != null) continue;
      int first = b * e.rowsPerBlock, rows = e.blockRows(b);
      float[] inv = new float[rows];
      for (int i = 0; i < rows; i++) {
        snapshot.wordVector(first + i, u, 0);
        double norm = 0;
        for (int j = 0; j < n; j++) norm += (double) u[j] * u[j];
        inv[i] = norm == 0 ? 1f : (float) (1 / Math.sqrt(norm)); // zero rows stay zero
      }
      inverseNorms[b] = inv;
    }
  }

  /** The scales of block b if s holds the very rows this.snapshot holds there, else null. */
  private float[] sharedNorms(ModelSnapshot s, int b) {
    RowBlocks e = s.embeddingRows(), w = s.outputRows();
    RowBlocks pe = snapshot.embeddingRows(), pw = snapshot.outputRows();
    boolean usesE = s.config.exportVectors != ModelConfig.ExportVectors.OUTPUT;
    boolean usesW = s.config.exportVectors != ModelConfig.ExportVectors.INPUT;
    if (s.config.exportVectors != snapshot.config.exportVectors
        || b >= pe.blockCount()
        || pe.rowsPerBlock != e.rowsPerBlock
        || pe.blockRows(b) != e.blockRows(b)
        || pe.cols != e.cols
        || pw.cols != w.cols
        || (usesE && pe.block(b) != e.block(b))) return null;
    if (usesW) {
      // W's block layout may differ from E's: every W row of E's block b must be shared
      int first = b * e.rowsPerBlock, last = first + e.blockRows(b) - 1;
      if (pw.rowsPerBlock != w.rowsPerBlock) return null;
      for (int k = first / w.rowsPerBlock; k <= last / w.rowsPerBlock; k++)
        if (pw.block(k) != w.block(k)) return null;
    }
    return inverseNorms[b];
  }

  public ModelSnapshot snapshot() {
    return snapshot;
  }

  /** The k words closest to word by cosine, best first, without word itself. */
  public List<WordScore> neighbours(String word, int k) {
    checkK(k);
    int q = resolve(word);
    return top(cosines(unitRow(q, new float[n])), k, q, UNK, EOS);
  }

  /** cos(U[a], U[b]) in [-1, 1] (0 if either vector is zero). */
  public double similarity(String a, String b) {
    int ia = resolve(a), ib = resolve(b);
    float[] ua = unitRow(ia, new float[n]), ub = unitRow(ib, new float[n]);
    double s = 0;
    for (int j = 0; j < n; j++) s += (double) ua[j] * ub[j];
    return s;
  }

  /**
   * "a is to b as c is to ?" by 3CosAdd: the k words closest to u_b - u_a + u_c, without a, b, c.
   */
  public List<WordScore> analogy(String a, String b, String c, int k) {
    checkK(k);
    int ia = resolve(a), ib = resolve(b), ic = resolve(c);
    float[] ua = unitRow(ia, new float[n]), ub = unitRow(ib, new float[n]);
    float[] uc = unitRow(ic, new float[n]);
    // t = u_b - u_a + u_c, then t / |t| so the scores are cosines
    float[] t = new float[n];
    double norm = 0;
    for (int j = 0; j < n; j++) {
      t[j] = ub[j] - ua[j] + uc[j];
      norm += (double) t[j] * t[j];
    }
    if (norm > 0) for (int j = 0; j < n; j++) t[j] /= (float) Math.sqrt(norm);
    return top(cosines(t), k, ia, ib, ic, UNK, EOS);
  }

  /**
   * The k most probable next words after contextText, with their probabilities p(w | context) under
   * the full softmax over all V words, mixed with the snapshot's n-gram model when it has one
   * (&lt;unk&gt; takes part in the normalisation but is not returned). The context is the last P
   * tokens of the text, most recent first, padded with &lt;/s&gt; (as at the start of a stream);
   * unknown words become &lt;unk&gt;. With the cbow encoder the text is the left context and the
   * right side is all &lt;/s&gt;, i.e. the model is asked for the last word of a sentence that ends
   * right after it.
   */
  public List<WordScore> predict(String contextText, int k) {
    checkK(k);
    double[] served = nextWordDistribution(contextText);
    float[] p = new float[served.length];
    for (int i = 0; i < p.length; i++) p[i] = (float) served[i];
    return top(p, k, UNK);
  }

  /** p(w | contextText) for every word id w, as {@link #predict} serves it (sums to 1). */
  public double[] nextWordDistribution(String contextText) {
    if (contextText == null) throw new IllegalArgumentException("context text is required");
    ModelConfig config = snapshot.config;
    int[] ctx = contextIds(contextText, config);
    // h = encoder(E[ctx_0], ..., E[ctx_P-1]), on a copy of the P context rows
    RowBlocks e = snapshot.embeddingRows();
    FMatrixRMaj x = new FMatrixRMaj(ctx.length, e.cols);
    int[] rows = new int[ctx.length];
    for (int j = 0; j < ctx.length; j++) {
      e.copyRow(ctx[j], x.data, j * e.cols);
      rows[j] = j;
    }
    RowBlocks w = snapshot.outputRows();
    FMatrixRMaj h = new FMatrixRMaj(w.cols, 1);
    snapshot.newEncoder().forward(x, rows, h.data);
    // s = W h + b
    FMatrixRMaj s = new FMatrixRMaj(snapshot.size(), 1);
    for (int b = 0; b < w.blockCount(); b++) {
      float[] wb = w.block(b);
      for (int i = 0; i < w.blockRows(b); i++)
        s.data[b * w.rowsPerBlock + i] = dot(wb, i * w.cols, h.data, w.cols);
    }
    CommonOps_FDRM.addEquals(s, snapshot.outputBias);
    return distribution(s.data, contextText);
  }

  /**
   * The served next-word distribution over the V words from the model's logits s: p_model =
   * softmax(s), mixed with the snapshot's n-gram when it has one (lambda p_model + (1 - lambda)
   * p_ngram, lambda by the n-gram context's count). Sums to 1.
   */
  private double[] distribution(float[] s, String contextText) {
    int v = snapshot.size();
    // p = exp(s - max) / sum exp(s - max)
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) max = Math.max(max, s[i]);
    double sum = 0;
    for (int i = 0; i < v; i++) sum += Math.exp(s[i] - max);
    double[] p = new double[v];
    for (int i = 0; i < v; i++) p[i] = Math.exp(s[i] - max) / sum;
    NextWordMixture mixture = snapshot.mixture();
    if (mixture == null) return p;
    int n = mixture.ngram().order() - 1;
    double[] mixed = new double[v];
    mixture.mix(p, v, lastIds(contextText, n, n), mixed);
    return mixed;
  }

  /**
   * ctx[0] = id of the last token, ctx[1] the one before, ...; &lt;/s&gt; where the text runs out.
   */
  int[] contextIds(String text, ModelConfig config) {
    int p = config.contextPositions();
    return lastIds(text, p, config.encoder == ModelConfig.Encoder.CBOW ? config.context : p);
  }

  /** ids[j] = id of the (j+1)-th last token for j &lt; left, &lt;/s&gt; elsewhere. */
  private int[] lastIds(String text, int length, int left) {
    List<String> tokens =
        tokens(
            text.length() > MAX_CONTEXT_CHARS
                ? text.substring(text.length() - MAX_CONTEXT_CHARS)
                : text);
    int n = tokens.size();
    if (n > 0 && tokens.get(n - 1).equals(Tokenizer.EOS))
      n--; // the tokenizer closes the text as a sentence; the context is still open
    int[] ctx = new int[length];
    java.util.Arrays.fill(ctx, EOS);
    for (int j = 0; j < Math.min(left, n); j++) {
      int id = snapshot.id(tokens.get(n - 1 - j));
      ctx[j] = id < 0 ? UNK : id;
    }
    return ctx;
  }

  /** The one place that knows how text becomes tokens (the same tokenizer as training). */
  private List<String> tokens(String text) {
    return new Tokenizer(snapshot.config.maxLineChars).tokenize(text);
  }

  /** Id of word as given, else of its tokenized form; throws UnknownWordException. */
  private int resolve(String word) {
    if (word == null) throw new IllegalArgumentException("a word is required");
    int id = snapshot.id(word);
    if (id >= 0) return id;
    List<String> t = tokens(word);
    if (t.size() == 2 && t.get(1).equals(Tokenizer.EOS)) id = snapshot.id(t.get(0));
    if (id < 0) throw new UnknownWordException(word);
    return id;
  }

  private static void checkK(int k) {
    if (k < 1 || k > MAX_K)
      throw new IllegalArgumentException("k must be in 1.." + MAX_K + ", got " + k);
  }

  /** U[id] = u_id / |u_id| into dst: the word vector scaled to length 1 (a zero one stays zero). */
  private float[] unitRow(int id, float[] dst) {
    snapshot.wordVector(id, dst, 0);
    int r = snapshot.embeddingRows().rowsPerBlock;
    float inv = inverseNorms[id / r][id % r];
    for (int j = 0; j < n; j++) dst[j] *= inv;
    return dst;
  }

  /** cos(U[w], q) for every w, with q of length 1 (or 0): c = U q */
  private float[] cosines(float[] q) {
    float[] c = new float[snapshot.size()], u = new float[n];
    RowBlocks e = snapshot.embeddingRows(), w = snapshot.outputRows();
    if (e.rowsPerBlock != w.rowsPerBlock) { // row by row through a copy
      for (int i = 0; i < c.length; i++) c[i] = dot(unitRow(i, u), 0, q, n);
      return c;
    }
    ModelConfig.ExportVectors vectors = snapshot.config.exportVectors;
    int d = e.cols, h = w.cols;
    for (int b = 0; b < e.blockCount(); b++) {
      float[] eb = e.block(b), wb = w.block(b), inv = inverseNorms[b];
      int first = b * e.rowsPerBlock;
      for (int i = 0; i < e.blockRows(b); i++)
        c[first + i] =
            switch (vectors) {
              case INPUT -> scaledDot(eb, i * d, inv[i], q, 0, d, 0);
              case OUTPUT -> scaledDot(wb, i * h, inv[i], q, 0, h, 0);
              case SUM -> sumDot(eb, wb, i * d, inv[i], q, d);
              default ->
                  scaledDot(wb, i * h, inv[i], q, d, h, scaledDot(eb, i * d, inv[i], q, 0, d, 0));
            };
    }
    return c;
  }

  /**
   * The sum of {@link #dot}(U[i], q) in one pass over a row of E or W (or both): U[i][j] = x_j inv,
   * rounded to float as a stored U would be, times q_j, added in the same order. For concat the W
   * part continues the E part's sum (start), at q[at].
   */
  private static float scaledDot(
      float[] x, int from, float inv, float[] q, int at, int c, float start) {
    float total = at == 0 ? x[from] * inv * q[0] : start + x[from] * inv * q[at];
    for (int j = 1; j < c; j++) total += x[from + j] * inv * q[at + j];
    return total;
  }

  /** {@link #scaledDot} for U[i][j] = (E[i][j] + W[i][j]) inv (export-vectors=sum, h = d). */
  private static float sumDot(float[] e, float[] w, int from, float inv, float[] q, int d) {
    float total = (e[from] + w[from]) * inv * q[0];
    for (int j = 1; j < d; j++) total += (e[from + j] + w[from + j]) * inv * q[j];
    return total;
  }

  /**
   * a[from, from + c) . x[0, c) in float, summed in the order of EJML's matrix-vector product (a_0
   * x_0, then + a_j x_j), which these queries used before and their answers keep.
   */
  private static float dot(float[] a, int from, float[] x, int c) {
    float total = a[from] * x[0];
    for (int j = 1; j < c; j++) total += a[from + j] * x[j];
    return total;
  }

  /** Best k of scores, best first, never one of the excluded ids. */
  private List<WordScore> top(float[] scores, int k, int... excluded) {
    TopK heap = new TopK(k);
    outer:
    for (int i = 0; i < scores.length; i++) {
      for (int x : excluded) if (i == x) continue outer;
      heap.offer(i, scores[i]);
    }
    int n = heap.size();
    int[] ids = new int[n];
    float[] best = new float[n];
    heap.drainBestFirst(ids, best);
    List<WordScore> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(new WordScore(snapshot.word(ids[i]), best[i]));
    return out;
  }
}
