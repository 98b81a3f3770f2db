package io.streamvec.model.query;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
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
 * P context positions: U (V, n) unit word vectors, E (V, d), W (V, H), b (V, 1), h (H).
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
  private final FMatrixRMaj unit; // U (V, n): word vectors scaled to length 1 (zero rows stay zero)

  public EmbeddingQueries(ModelSnapshot snapshot) {
    if (snapshot.size() < 2)
      throw new IllegalArgumentException(
          "a snapshot holds at least <unk> and </s>, this one has " + snapshot.size() + " words");
    this.snapshot = snapshot;
    this.unit = snapshot.wordVectors();
    int v = snapshot.size(), d = unit.numCols;
    for (int i = 0; i < v; i++) {
      double norm = 0;
      for (int j = 0; j < d; j++) norm += (double) unit.data[i * d + j] * unit.data[i * d + j];
      if (norm == 0) continue;
      float inv = (float) (1 / Math.sqrt(norm));
      for (int j = 0; j < d; j++) unit.data[i * d + j] *= inv;
    }
  }

  public ModelSnapshot snapshot() {
    return snapshot;
  }

  /** The k words closest to word by cosine, best first, without word itself. */
  public List<WordScore> neighbours(String word, int k) {
    checkK(k);
    int q = resolve(word);
    return top(cosines(row(q)), k, q, UNK, EOS);
  }

  /** cos(U[a], U[b]) in [-1, 1] (0 if either vector is zero). */
  public double similarity(String a, String b) {
    int ia = resolve(a), ib = resolve(b);
    int d = unit.numCols;
    double s = 0;
    for (int j = 0; j < d; j++) s += (double) unit.data[ia * d + j] * unit.data[ib * d + j];
    return s;
  }

  /**
   * "a is to b as c is to ?" by 3CosAdd: the k words closest to u_b - u_a + u_c, without a, b, c.
   */
  public List<WordScore> analogy(String a, String b, String c, int k) {
    checkK(k);
    int ia = resolve(a), ib = resolve(b), ic = resolve(c);
    int d = unit.numCols;
    // t = u_b - u_a + u_c, then t / |t| so the scores are cosines
    float[] t = new float[d];
    double norm = 0;
    for (int j = 0; j < d; j++) {
      t[j] = unit.data[ib * d + j] - unit.data[ia * d + j] + unit.data[ic * d + j];
      norm += (double) t[j] * t[j];
    }
    if (norm > 0) for (int j = 0; j < d; j++) t[j] /= (float) Math.sqrt(norm);
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
    // h = encoder(E[ctx_0], ..., E[ctx_P-1])
    FMatrixRMaj h = new FMatrixRMaj(snapshot.outputWeights.numCols, 1);
    snapshot.newEncoder().forward(snapshot.embeddings, ctx, h.data);
    // s = W h + b
    FMatrixRMaj s = new FMatrixRMaj(snapshot.size(), 1);
    CommonOps_FDRM.mult(snapshot.outputWeights, h, s);
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

  private float[] row(int id) {
    int d = unit.numCols;
    float[] r = new float[d];
    System.arraycopy(unit.data, id * d, r, 0, d);
    return r;
  }

  /** cos(U[w], q) for every w, with q of length 1 (or 0): c = U q */
  private float[] cosines(float[] q) {
    FMatrixRMaj qv = FMatrixRMaj.wrap(q.length, 1, q);
    FMatrixRMaj c = new FMatrixRMaj(unit.numRows, 1);
    CommonOps_FDRM.mult(unit, qv, c);
    return c.data;
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
