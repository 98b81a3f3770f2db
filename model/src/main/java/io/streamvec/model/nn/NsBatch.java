package io.streamvec.model.nn;

import java.util.Arrays;
import org.ejml.data.FMatrixRMaj;

/**
 * A mini-batch of negative-sampling steps whose targets share their k negatives (HogBatch, Ji et
 * al. 2016), for the position-weighted encoder (lbl, cbow). The batch's loss is the sum of its
 * tokens' losses, every one against the parameters at the batch's start: L = sum_b [-log s(z_b,t) -
 * sum_j log s(-z_b,j)], z_b,w = W[w] . h_b + b[w], h_b = sum_i c_i (.) E[ctx_b,i], a negative equal
 * to the token's own target skipped. {@link #add} forwards a token and scores its target; {@link
 * #flush} computes dL for the whole batch, negatives outer so their k rows are loaded once for all
 * B tokens, and then steps each distinct row once on its summed gradient: output rows in order of
 * first use (the targets in batch order, then the negatives), the position weights, then E rows in
 * order of first use.
 *
 * <p>A row's AdaGrad accumulator grows by the mean squares of the row's gradient terms (one per
 * token and word, or token and position), as a step per token would add them, not by the mean
 * square of their sum: with the sum, rows used by several tokens of a batch (shared negatives, the
 * context words of consecutive tokens) learned markedly worse word vectors (bench/RESULTS.md).
 *
 * <p>Shapes: B batch size, k negatives, P context positions, d = H embedding size, V capacity.
 * Scratch is allocated once: no allocation per token.
 */
public final class NsBatch {
  private final int k, positions, d;
  private final FMatrixRMaj embeddings; // E (V, d)
  private final float[] embeddingsAcc; // (V)
  private final OutputLayer output; // W (V, d), b (V)
  private final ContextEncoder encoder;
  private final float[] weights, weightsAcc; // the encoder's c (P, d) and its accumulators (P)
  private final RowUpdater up;

  // the pending batch
  private int size;
  private final int[] targets; // (B)
  private final int[] ctx; // (B, P)
  private final int[] negatives; // (k) shared; -1: no draw (empty noise table)
  private final float[] scores; // (B) z of each target
  private final float[][] hs, gradH; // (B, d)

  // scratch of a flush: row -> its gradient row, -1 when untouched (reset after every flush)
  private final int[] outSlot, embeddingSlot; // (V)
  private final int[] outRows, embeddingRows; // (B + k), (B P): the rows touched, in order
  private int outCount, embeddingCount;
  private final float[] gradOut, gradBias, gradEmbeddings, gradWeights;
  // AdaGrad: per gradient row, the sum of its terms' mean squares; per token, mean(h^2)
  private final float[] squaresOut, squaresBias, squaresEmbeddings, squaresWeights, hSquare;

  public NsBatch(
      int batch,
      int k,
      FMatrixRMaj embeddings,
      float[] embeddingsAcc,
      OutputLayer output,
      ContextEncoder encoder,
      RowUpdater up) {
    if (!(encoder instanceof PositionWeightedEncoder))
      throw new IllegalArgumentException("a mini-batch needs encoder lbl or cbow");
    this.k = k;
    this.d = embeddings.numCols;
    if (output.hidden() != d) throw new IllegalArgumentException("a mini-batch needs h = d");
    this.positions = encoder.parameters()[0].numRows;
    this.embeddings = embeddings;
    this.embeddingsAcc = embeddingsAcc;
    this.output = output;
    this.encoder = encoder;
    this.weights = encoder.parameters()[0].data;
    this.weightsAcc = encoder.accumulators()[0];
    this.up = up;
    int capacity = embeddings.numRows;
    this.targets = new int[batch];
    this.ctx = new int[batch * positions];
    this.negatives = new int[k];
    this.scores = new float[batch];
    this.hs = new float[batch][d];
    this.gradH = new float[batch][d];
    this.outSlot = new int[capacity];
    this.embeddingSlot = new int[capacity];
    Arrays.fill(outSlot, -1);
    Arrays.fill(embeddingSlot, -1);
    this.outRows = new int[batch + k];
    this.embeddingRows = new int[batch * positions];
    this.gradOut = new float[(batch + k) * d];
    this.gradBias = new float[batch + k];
    this.gradEmbeddings = new float[batch * positions * d];
    this.gradWeights = new float[positions * d];
    this.squaresOut = new float[batch + k];
    this.squaresBias = new float[batch + k];
    this.squaresEmbeddings = new float[batch * positions];
    this.squaresWeights = new float[positions];
    this.hSquare = new float[batch];
  }

  /** Tokens pending. */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public boolean isFull() {
    return size == targets.length;
  }

  /** The shared negatives (k): the caller draws them into this array when the batch is empty. */
  public int[] negatives() {
    return negatives;
  }

  /**
   * Adds a trained token: h is its forward if the caller has it (null: forwarded here), against the
   * batch-start parameters either way. Returns the target's score z = W[target] . h + b[target].
   */
  public float add(int target, int[] context, float[] h) {
    int b = size++;
    targets[b] = target;
    System.arraycopy(context, 0, ctx, b * positions, positions);
    if (h != null) System.arraycopy(h, 0, hs[b], 0, d);
    else encoder.forward(embeddings, context, hs[b]);
    return scores[b] = output.score(hs[b], target);
  }

  /** Learns from the pending tokens (if any) and empties the batch; marks the rows it steps. */
  public void flush(RowMarks dirty) {
    if (size == 0) return;
    float[] wd = output.weights.data, bd = output.bias.data, ed = embeddings.data;
    boolean adagrad = up.isAdagrad();
    outCount = 0;
    embeddingCount = 0;
    // dL/dz = s(z) - label; dL/dh_b and dL/dW, dL/db from the batch-start W
    for (int b = 0; b < size; b++) {
      Arrays.fill(gradH[b], 0f);
      if (adagrad) hSquare[b] = VectorMath.meanSquare(hs[b], 0, d); // a term g h: g^2 mean(h^2)
      accumulate(targets[b], scores[b], 1f, b, wd);
    }
    for (int j = 0; j < k; j++) {
      int w = negatives[j];
      if (w < 0) continue;
      for (int b = 0; b < size; b++) {
        if (w == targets[b]) continue; // like word2vec, a draw of the target is skipped
        float z = VectorMath.dot(wd, w * d, hs[b], 0, d) + bd[w];
        accumulate(w, z, 0f, b, wd);
      }
    }
    // dL/dc_i = sum_b E[ctx_b,i] (.) g_b; dL/dE[r] = sum over ctx_b,i = r of c_i (.) g_b
    Arrays.fill(gradWeights, 0f);
    Arrays.fill(squaresWeights, 0f);
    for (int b = 0; b < size; b++) {
      float[] g = gradH[b];
      for (int i = 0; i < positions; i++) {
        int r = ctx[b * positions + i], e = embeddingRow(r);
        VectorMath.addHadamard(ed, r * d, g, 0, gradWeights, i * d, d);
        VectorMath.addHadamard(weights, i * d, g, 0, gradEmbeddings, e * d, d);
        if (!adagrad) continue;
        squaresWeights[i] += VectorMath.sumSquaredProducts(ed, r * d, g, 0, d) / d;
        squaresEmbeddings[e] += VectorMath.sumSquaredProducts(weights, i * d, g, 0, d) / d;
      }
    }
    // every gradient is in: one step per distinct row, in a fixed order (rate: sgd's lr, or
    // AdaGrad's after adding the row's squares)
    for (int s = 0; s < outCount; s++) {
      int r = outRows[s];
      float rate = up.rate(output.weightsAcc, r, squaresOut[s]);
      VectorMath.axpy(-rate, gradOut, s * d, wd, r * d, d);
      bd[r] -= up.rate(output.biasAcc, r, squaresBias[s]) * gradBias[s];
      outSlot[r] = -1;
      if (dirty != null) dirty.mark(r);
    }
    for (int i = 0; i < positions; i++) {
      float rate = up.rate(weightsAcc, i, squaresWeights[i]);
      VectorMath.axpy(-rate, gradWeights, i * d, weights, i * d, d);
    }
    for (int s = 0; s < embeddingCount; s++) {
      int r = embeddingRows[s];
      float rate = up.rate(embeddingsAcc, r, squaresEmbeddings[s]);
      VectorMath.axpy(-rate, gradEmbeddings, s * d, ed, r * d, d);
      embeddingSlot[r] = -1;
      if (dirty != null) dirty.mark(r);
    }
    size = 0;
  }

  /** The (token b, word w) term: g_b += gz W[w], gradOut[w] += gz h_b, gradBias[w] += gz. */
  private void accumulate(int w, float z, float label, int b, float[] wd) {
    float gz = VectorMath.sigmoid(z) - label;
    VectorMath.axpy(gz, wd, w * d, gradH[b], 0, d);
    int s = outSlot[w];
    if (s < 0) {
      s = outCount++;
      outSlot[w] = s;
      outRows[s] = w;
      Arrays.fill(gradOut, s * d, (s + 1) * d, 0f);
      gradBias[s] = 0f;
      squaresOut[s] = 0f;
      squaresBias[s] = 0f;
    }
    VectorMath.axpy(gz, hs[b], 0, gradOut, s * d, d);
    gradBias[s] += gz;
    squaresOut[s] += gz * gz * hSquare[b];
    squaresBias[s] += gz * gz;
  }

  /** The gradient row of E row r (a zeroed one on first use in this flush). */
  private int embeddingRow(int r) {
    int s = embeddingSlot[r];
    if (s < 0) {
      s = embeddingCount++;
      embeddingSlot[r] = s;
      embeddingRows[s] = r;
      Arrays.fill(gradEmbeddings, s * d, (s + 1) * d, 0f);
      squaresEmbeddings[s] = 0f;
    }
    return s;
  }
}
