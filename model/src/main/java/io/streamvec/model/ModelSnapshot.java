package io.streamvec.model;

import io.streamvec.model.lm.NextWordMixture;
import io.streamvec.model.nn.ContextEncoder;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;

/**
 * An immutable copy of what users of a trained model need: vocabulary, embeddings, and the output
 * layer + context encoder for next-word prediction. Shapes: E (V, d), W (V, H), b (V, 1). Word ids
 * are row indices; id 0 is &lt;unk&gt;, id 1 is &lt;/s&gt;.
 *
 * <p>The word vectors users see ({@link #wordVectors()}: word2vec export, neighbours, similarity,
 * analogy) are chosen by the config key export-vectors from E and W, which every snapshot holds, so
 * the choice needs no format change and applies to snapshots written before the key existed.
 */
public final class ModelSnapshot {
  public final long version;
  public final long tokens;
  public final ModelConfig config;
  private final String[] words;
  private final float[] counts;
  private final RowBlocks e; // E (V, d)
  private final RowBlocks w; // W (V, H)
  private volatile FMatrixRMaj wholeE, wholeW; // E and W in one piece, built when first asked
  public final FMatrixRMaj outputBias; // b (V, 1)
  private final String[] encoderNames;
  private final FMatrixRMaj[] encoderParams;
  private final Map<String, Double> stats;
  private final int[] index; // word hash table: ids, -1 = empty
  private final NextWordMixture mixture; // what predictions serve with the model; null = model only

  /** mixture: the served mixture (model + n-gram), which the snapshot owns from now on; or null. */
  public ModelSnapshot(
      long version,
      long tokens,
      ModelConfig config,
      String[] words,
      float[] counts,
      FMatrixRMaj embeddings,
      FMatrixRMaj outputWeights,
      FMatrixRMaj outputBias,
      String[] encoderNames,
      FMatrixRMaj[] encoderParams,
      Map<String, Double> stats,
      NextWordMixture mixture) {
    this(
        version,
        tokens,
        config,
        words,
        counts,
        RowBlocks.of(embeddings),
        RowBlocks.of(outputWeights),
        outputBias,
        encoderNames,
        encoderParams,
        stats,
        mixture);
    this.wholeE = embeddings;
    this.wholeW = outputWeights;
  }

  /**
   * A snapshot whose E and W rows are in blocks, which it shares with whoever else holds them (e.g.
   * the previous version of the model): nobody writes them any more.
   */
  public ModelSnapshot(
      long version,
      long tokens,
      ModelConfig config,
      String[] words,
      float[] counts,
      RowBlocks embeddings,
      RowBlocks outputWeights,
      FMatrixRMaj outputBias,
      String[] encoderNames,
      FMatrixRMaj[] encoderParams,
      Map<String, Double> stats,
      NextWordMixture mixture) {
    this.mixture = mixture;
    int v = words.length;
    if (counts.length != v
        || embeddings.rows != v
        || outputWeights.rows != v
        || outputBias.numRows != v
        || embeddings.cols != config.dim
        || outputWeights.cols != config.hiddenSize()
        || encoderNames.length != encoderParams.length) {
      throw new IllegalArgumentException(
          "inconsistent snapshot shapes: V="
              + v
              + " E="
              + embeddings.rows
              + "x"
              + embeddings.cols
              + " W="
              + outputWeights.rows
              + "x"
              + outputWeights.cols);
    }
    this.version = version;
    this.tokens = tokens;
    this.config = config;
    this.words = words.clone();
    this.counts = counts.clone();
    this.e = embeddings;
    this.w = outputWeights;
    this.outputBias = outputBias;
    this.encoderNames = encoderNames.clone();
    this.encoderParams = encoderParams.clone();
    this.stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
    // open addressing, linear probing, load <= 1/2; the first id of a word wins
    int[] table = new int[Integer.highestOneBit(Math.max(2, v) * 2 - 1) << 1];
    Arrays.fill(table, -1);
    for (int i = 0; i < v; i++) {
      if (this.words[i] == null) continue;
      int slot = slot(this.words[i], table);
      if (table[slot] < 0) table[slot] = i;
    }
    this.index = table;
  }

  public int size() {
    return words.length;
  }

  public int dim() {
    return e.cols;
  }

  /**
   * E (V, d) in one piece: the matrix this snapshot was made from, or, for one made from row
   * blocks, a copy built on the first call and kept (readers of rows use {@link #embeddingRows}).
   */
  public FMatrixRMaj embeddings() {
    FMatrixRMaj m = wholeE;
    if (m == null) wholeE = m = e.toMatrix();
    return m;
  }

  /** W (V, H) in one piece, as {@link #embeddings()}. */
  public FMatrixRMaj outputWeights() {
    FMatrixRMaj m = wholeW;
    if (m == null) wholeW = m = w.toMatrix();
    return m;
  }

  /** E (V, d) as row blocks, without copying. */
  public RowBlocks embeddingRows() {
    return e;
  }

  /** W (V, H) as row blocks, without copying. */
  public RowBlocks outputRows() {
    return w;
  }

  public String word(int id) {
    return words[id];
  }

  public float count(int id) {
    return counts[id];
  }

  /** The id of word, or -1 if it is not in the vocabulary. */
  public int id(String word) {
    return word == null ? -1 : index[slot(word, index)];
  }

  /** The slot of table that holds word's id, or the empty one (-1) where it would go. */
  private int slot(String word, int[] table) {
    int mask = table.length - 1;
    int h = word.hashCode();
    int slot = (h ^ (h >>> 16)) & mask;
    while (table[slot] >= 0 && !word.equals(words[table[slot]])) slot = (slot + 1) & mask;
    return slot;
  }

  /** This snapshot with other E and W rows of the same shapes (e.g. as a lossy wire gives them). */
  public ModelSnapshot withRows(FMatrixRMaj embeddings, FMatrixRMaj outputWeights) {
    return withRows(RowBlocks.of(embeddings), RowBlocks.of(outputWeights));
  }

  /** This snapshot with other E and W rows of the same shapes, in blocks. */
  public ModelSnapshot withRows(RowBlocks embeddings, RowBlocks outputWeights) {
    return new ModelSnapshot(
        version,
        tokens,
        config,
        words,
        counts,
        embeddings,
        outputWeights,
        outputBias,
        encoderNames,
        encoderParams,
        stats,
        mixture);
  }

  public String[] encoderNames() {
    return encoderNames.clone();
  }

  public FMatrixRMaj[] encoderParams() {
    return encoderParams.clone();
  }

  /**
   * Training statistics at snapshot time (tokens, perplexity, accuracy, ...), in a stable order.
   */
  public Map<String, Double> stats() {
    return stats;
  }

  /** Columns of {@link #wordVectors()}: d, or d + H for export-vectors=concat. */
  public int wordVectorDim() {
    return config.exportVectors == ModelConfig.ExportVectors.CONCAT
        ? e.cols + w.cols
        : config.exportVectors == ModelConfig.ExportVectors.OUTPUT ? w.cols : e.cols;
  }

  /**
   * The word vectors as config export-vectors says, one row per word id, as a new matrix: input E
   * (what a word predicts: its role as context), output W (what predicts it: the contexts it
   * appears in), sum E + W (GloVe's "w + c"; by far the best similarity on the benchmark), or
   * concat [E, W]. For the next-word model E alone is poor for similarity: a context row also
   * carries word-order information (position weights), W and E + W much less.
   */
  public FMatrixRMaj wordVectors() {
    FMatrixRMaj u = new FMatrixRMaj(size(), wordVectorDim());
    for (int i = 0; i < size(); i++) wordVector(i, u.data, i * u.numCols);
    return u;
  }

  /**
   * Row id of {@link #wordVectors()} into dst[at, at + {@link #wordVectorDim()}): E[id], W[id],
   * E[id] + W[id] or [E[id], W[id]].
   */
  public void wordVector(int id, float[] dst, int at) {
    switch (config.exportVectors) {
      case INPUT -> e.copyRow(id, dst, at);
      case OUTPUT -> w.copyRow(id, dst, at);
      case SUM -> {
        // u = E[id] + W[id]  (h = d, checked by ModelConfig)
        e.copyRow(id, dst, at);
        float[] wb = w.block(id / w.rowsPerBlock);
        int from = (id % w.rowsPerBlock) * w.cols;
        for (int j = 0; j < w.cols; j++) dst[at + j] += wb[from + j];
      }
      default -> {
        e.copyRow(id, dst, at);
        w.copyRow(id, dst, at + e.cols);
      }
    }
  }

  /** A context encoder carrying this snapshot's encoder parameters (for next-word queries). */
  public ContextEncoder newEncoder() {
    ContextEncoder enc = ContextEncoder.create(config);
    FMatrixRMaj[] target = enc.parameters();
    for (int i = 0; i < target.length; i++) target[i].setTo(encoderParams[i]);
    return enc;
  }

  /** Same model content (everything but the version number)? Compares floats bit for bit. */
  /**
   * The n-gram + weights that next-word prediction mixes with the model, or null (model only).
   * Read-only: never learn with it.
   */
  public NextWordMixture mixture() {
    return mixture;
  }

  public boolean sameModelAs(ModelSnapshot o) {
    if (tokens != o.tokens
        || !config.equals(o.config)
        || !Arrays.equals(words, o.words)
        || !Arrays.equals(counts, o.counts)
        || !Arrays.equals(encoderNames, o.encoderNames)) return false;
    if (!e.sameData(o.e) || !w.sameData(o.w) || !sameData(outputBias, o.outputBias)) return false;
    for (int i = 0; i < encoderParams.length; i++)
      if (!sameData(encoderParams[i], o.encoderParams[i])) return false;
    return true;
  }

  private static boolean sameData(FMatrixRMaj a, FMatrixRMaj b) {
    if (a.numRows != b.numRows || a.numCols != b.numCols) return false;
    int n = a.numRows * a.numCols;
    return Arrays.equals(a.data, 0, n, b.data, 0, n);
  }
}
