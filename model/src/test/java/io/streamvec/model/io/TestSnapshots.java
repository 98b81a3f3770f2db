package io.streamvec.model.io;

import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.lm.NextWordMixture;
import io.streamvec.model.nn.ContextEncoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.ejml.data.FMatrixRMaj;

/** Snapshots built by hand (the Learner is not needed to test bytes and queries). */
public final class TestSnapshots {
  private TestSnapshots() {}

  /**
   * Words that exercise UTF-8: accents, CJK, a supplementary character (surrogate pair), an
   * apostrophe.
   */
  static final String[] SPECIAL_WORDS = {"naïve", "日本語", "😀", "don't", "<num>"};

  public static ModelConfig config(ModelConfig.Encoder encoder, int d, int context, int hidden) {
    return ModelConfig.defaults()
        .with("dim", "" + d)
        .with("context", "" + context)
        .with("hidden", "" + hidden)
        .with("encoder", encoder.name().toLowerCase());
  }

  /**
   * V words ("<unk>", "</s>", a few special ones, then w5, w6, ...), every float Gaussian from
   * seed.
   */
  public static ModelSnapshot random(int v, int d, ModelConfig.Encoder encoder, long seed) {
    ModelConfig config = config(encoder, d, 3, d + 2);
    Random rnd = new Random(seed);
    String[] words = new String[v];
    for (int i = 0; i < v; i++)
      words[i] =
          i == 0
              ? "<unk>"
              : i == 1 ? "</s>" : i - 2 < SPECIAL_WORDS.length ? SPECIAL_WORDS[i - 2] : "w" + i;
    float[] counts = new float[v];
    for (int i = 0; i < v; i++) counts[i] = 1000f / (i + 1);
    FMatrixRMaj[] encoder0 = ContextEncoder.create(config).parameters();
    FMatrixRMaj[] params = new FMatrixRMaj[encoder0.length];
    for (int i = 0; i < params.length; i++)
      params[i] = gaussian(encoder0[i].numRows, encoder0[i].numCols, rnd);
    Map<String, Double> stats = new LinkedHashMap<>();
    stats.put("tokens", 12345.0);
    stats.put("perplexity", 321.5);
    stats.put("top1", Double.NaN);
    return new ModelSnapshot(
        seed,
        12345,
        config,
        words,
        counts,
        gaussian(v, d, rnd),
        gaussian(v, config.hiddenSize(), rnd),
        gaussian(v, 1, rnd),
        ContextEncoder.create(config).parameterNames(),
        params,
        stats,
        null);
  }

  /**
   * A snapshot with the given words, E and output layer; encoder parameters as a fresh encoder has
   * them.
   */
  public static ModelSnapshot of(
      ModelConfig config,
      String[] words,
      FMatrixRMaj e,
      FMatrixRMaj w,
      FMatrixRMaj b,
      FMatrixRMaj... encoderParams) {
    ContextEncoder enc = ContextEncoder.create(config);
    FMatrixRMaj[] params = encoderParams.length > 0 ? encoderParams : enc.parameters();
    return new ModelSnapshot(
        1,
        0,
        config,
        words,
        new float[words.length],
        e,
        w,
        b,
        enc.parameterNames(),
        params,
        Map.of(),
        null);
  }

  /**
   * The same parameters under another config (e.g. another export-vectors); shapes must still fit.
   */
  public static ModelSnapshot withConfig(ModelSnapshot s, ModelConfig config) {
    return rebuilt(s, s.version, s.tokens, config, s.embeddings(), s.outputWeights(), null);
  }

  /** s with another version, token count, config, E and W (shapes must still fit). */
  public static ModelSnapshot rebuilt(
      ModelSnapshot s,
      long version,
      long tokens,
      ModelConfig config,
      FMatrixRMaj e,
      FMatrixRMaj w,
      NextWordMixture mixture) {
    String[] words = new String[s.size()];
    float[] counts = new float[s.size()];
    for (int i = 0; i < words.length; i++) {
      words[i] = s.word(i);
      counts[i] = s.count(i);
    }
    return new ModelSnapshot(
        version,
        tokens,
        config,
        words,
        counts,
        e,
        w,
        s.outputBias,
        s.encoderNames(),
        s.encoderParams(),
        s.stats(),
        mixture);
  }

  public static FMatrixRMaj gaussian(int rows, int cols, Random rnd) {
    FMatrixRMaj m = new FMatrixRMaj(rows, cols);
    for (int i = 0; i < m.data.length; i++) m.data[i] = (float) rnd.nextGaussian();
    return m;
  }
}
