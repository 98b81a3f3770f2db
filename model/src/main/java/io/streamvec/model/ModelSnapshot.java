package io.streamvec.model;

import io.streamvec.model.lm.NextWordMixture;
import io.streamvec.model.nn.ContextEncoder;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
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
  public final FMatrixRMaj embeddings; // E (V, d)
  public final FMatrixRMaj outputWeights; // W (V, H)
  public final FMatrixRMaj outputBias; // b (V, 1)
  private final String[] encoderNames;
  private final FMatrixRMaj[] encoderParams;
  private final Map<String, Double> stats;
  private final Map<String, Integer> index;
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
    this.mixture = mixture;
    int v = words.length;
    if (counts.length != v
        || embeddings.numRows != v
        || outputWeights.numRows != v
        || outputBias.numRows != v
        || embeddings.numCols != config.dim
        || outputWeights.numCols != config.hiddenSize()
        || encoderNames.length != encoderParams.length) {
      throw new IllegalArgumentException(
          "inconsistent snapshot shapes: V="
              + v
              + " E="
              + embeddings.numRows
              + "x"
              + embeddings.numCols
              + " W="
              + outputWeights.numRows
              + "x"
              + outputWeights.numCols);
    }
    this.version = version;
    this.tokens = tokens;
    this.config = config;
    this.words = words.clone();
    this.counts = counts.clone();
    this.embeddings = embeddings;
    this.outputWeights = outputWeights;
    this.outputBias = outputBias;
    this.encoderNames = encoderNames.clone();
    this.encoderParams = encoderParams.clone();
    this.stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
    Map<String, Integer> idx = new HashMap<>(v * 2);
    for (int i = 0; i < v; i++) idx.putIfAbsent(words[i], i);
    this.index = idx;
  }

  public int size() {
    return words.length;
  }

  public int dim() {
    return embeddings.numCols;
  }

  public String word(int id) {
    return words[id];
  }

  public float count(int id) {
    return counts[id];
  }

  /** The id of word, or -1 if it is not in the vocabulary. */
  public int id(String word) {
    Integer i = index.get(word);
    return i == null ? -1 : i;
  }

  /** This snapshot with other E and W rows of the same shapes (e.g. as a lossy wire gives them). */
  public ModelSnapshot withRows(FMatrixRMaj embeddings, FMatrixRMaj outputWeights) {
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
        ? embeddings.numCols + outputWeights.numCols
        : config.exportVectors == ModelConfig.ExportVectors.OUTPUT
            ? outputWeights.numCols
            : embeddings.numCols;
  }

  /**
   * The word vectors as config export-vectors says, one row per word id, as a new matrix: input E
   * (what a word predicts: its role as context), output W (what predicts it: the contexts it
   * appears in), sum E + W (GloVe's "w + c"; by far the best similarity on the benchmark), or
   * concat [E, W]. For the next-word model E alone is poor for similarity: a context row also
   * carries word-order information (position weights), W and E + W much less.
   */
  public FMatrixRMaj wordVectors() {
    int v = size(), d = embeddings.numCols, h = outputWeights.numCols;
    float[] e = embeddings.data, w = outputWeights.data;
    switch (config.exportVectors) {
      case INPUT:
        return embeddings.copy();
      case OUTPUT:
        return outputWeights.copy();
      case SUM:
        {
          // U = E + W  (h = d, checked by ModelConfig)
          FMatrixRMaj u = new FMatrixRMaj(v, d);
          for (int i = 0; i < v * d; i++) u.data[i] = e[i] + w[i];
          return u;
        }
      default:
        {
          // U[i] = [E[i], W[i]]
          FMatrixRMaj u = new FMatrixRMaj(v, d + h);
          for (int i = 0; i < v; i++) {
            System.arraycopy(e, i * d, u.data, i * (d + h), d);
            System.arraycopy(w, i * h, u.data, i * (d + h) + d, h);
          }
          return u;
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
    if (!sameData(embeddings, o.embeddings)
        || !sameData(outputWeights, o.outputWeights)
        || !sameData(outputBias, o.outputBias)) return false;
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
