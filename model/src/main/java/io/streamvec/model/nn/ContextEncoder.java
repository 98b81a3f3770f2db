package io.streamvec.model.nn;

import io.streamvec.model.ModelConfig;
import org.ejml.data.FMatrixRMaj;

/**
 * Maps the embeddings of the P context words to the vector h that scores every next word (score(w)
 * = W[w] . h + b[w]). Shapes: E (V, d), context ids (P), h (H).
 */
public interface ContextEncoder {

  /** H, the size of h. */
  int outputSize();

  /** h = f(E[ctx[0]], ..., E[ctx[P-1]]) */
  void forward(FMatrixRMaj embeddings, int[] ctx, float[] h);

  /**
   * Given dL/dh for the ctx of the last {@link #forward} call, steps the encoder's own parameters
   * and the context rows of E (marking them in dirtyRows unless it is null); gradients come from
   * pre-update values.
   */
  void backward(
      FMatrixRMaj embeddings,
      float[] embeddingAcc,
      int[] ctx,
      float[] gradH,
      RowUpdater up,
      RowMarks dirtyRows);

  /** The encoder's own parameters, in a fixed order (checkpoints and snapshots store them). */
  FMatrixRMaj[] parameters();

  /** One optimiser accumulator array per parameter matrix (a float per row). */
  float[][] accumulators();

  /** Names of {@link #parameters()}, same order. */
  String[] parameterNames();

  /** A fresh encoder for config with deterministic initial parameters. */
  static ContextEncoder create(ModelConfig c) {
    return switch (c.encoder) {
      // lbl starts as the mean of the context; cbow as the sum, which gives each context word
      // word2vec's update size (benchmark: WS-353 .19 vs .15 on the shared corpus)
      case LBL ->
          new PositionWeightedEncoder(c.contextPositions(), c.dim, 1f / c.contextPositions());
      case CBOW -> new PositionWeightedEncoder(c.contextPositions(), c.dim, 1f);
      case BENGIO ->
          new BengioEncoder(c.contextPositions(), c.dim, c.hidden, new Rng(c.seed ^ 0x5EEDL));
    };
  }
}
