package io.streamvec.model;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Hyper-parameters of a learner. Keys are the names of the {@code ./streamvec train} flags (without
 * the dashes) and of the app's config keys, so one name means one thing everywhere. Immutable;
 * build with {@link #defaults()} and {@link #with(String, String)}.
 */
public final class ModelConfig {

  public enum Encoder {
    LBL,
    BENGIO,
    CBOW
  }

  public enum LossKind {
    NS,
    SOFTMAX
  }

  public enum Optimizer {
    ADAGRAD,
    SGD
  }

  /** Which parameters are "the word vectors" (word2vec export, neighbours, similarity, analogy). */
  public enum ExportVectors {
    INPUT,
    OUTPUT,
    SUM,
    CONCAT
  }

  /** One documented key: name, default and what it means. */
  public record Key(String name, String defaultValue, String doc) {}

  public static final List<Key> KEYS =
      List.of(
          new Key("dim", "100", "embedding size d"),
          new Key(
              "context",
              "4",
              "number of previous words L the model conditions on (cbow: words on each side)"),
          new Key(
              "encoder",
              "lbl",
              "context encoder: lbl (log-bilinear, position-weighted sum), bengio (concat + tanh hidden layer), cbow (both sides, position-weighted)"),
          new Key(
              "hidden", "100", "hidden layer size h for encoder=bengio (other encoders use h = d)"),
          new Key(
              "loss",
              "ns",
              "training loss: ns (negative sampling) or softmax (exact, O(V) per token: small vocabularies)"),
          new Key("negatives", "5", "negative samples k per token for loss=ns"),
          new Key(
              "batch",
              "1",
              "loss=ns with encoder lbl or cbow: learn in mini-batches of up to this many trained tokens (1..64) that share their k negatives (HogBatch, Ji et al. 2016): each token is forwarded against the parameters of the batch's start, each touched row takes one step (AdaGrad or sgd) on its summed gradient; a batch never spans a record; 1 = a step per token (bench/RESULTS.md: speed and quality)"),
          new Key(
              "noise-power", "0.75", "noise distribution is count^power over the decayed counts"),
          new Key(
              "noise-refresh",
              "10000",
              "rebuild the noise table every this many tokens (sooner at the start)"),
          new Key(
              "optimizer",
              "adagrad",
              "adagrad (per-row AdaGrad, suits an endless stream) or sgd (constant rate)"),
          new Key(
              "lr",
              "auto",
              "learning rate (AdaGrad base rate, or the constant SGD rate; never decays to zero); auto = 0.15 for adagrad with lbl, 0.2 for adagrad with cbow, 0.05 for adagrad with bengio (0.2 diverges there) and for sgd: the best prequential perplexity on the bench corpus (bench/RESULTS.md)"),
          new Key(
              "adagrad-half-life",
              "0",
              "optimizer=adagrad: the per-row accumulators fade with this half-life in tokens, so rows trained through an earlier topic take full steps again once the stream moves on (0 = never: plain AdaGrad, whose steps only shrink; else a whole number >= 100)"),
          new Key(
              "sample",
              "1e-3",
              "frequent-word subsampling threshold t (0 = off): a target is trained on with probability min(1, sqrt(t/f)+t/f)"),
          new Key(
              "min-count", "5", "a word enters the vocabulary once its decayed count reaches this"),
          new Key(
              "vocab-size",
              "50000",
              "vocabulary capacity V incl. <unk> and </s>; the least frequent word is evicted when full"),
          new Key(
              "candidates",
              "200000",
              "capacity of the bounded table counting words not (yet) in the vocabulary"),
          new Key(
              "half-life",
              "1e8",
              "counts decay with this half-life in tokens, so the vocabulary follows the stream"),
          new Key(
              "mixture-order",
              "3",
              "order N of the bounded Kneser-Ney n-gram mixed with the model in what next-word prediction serves (/v1/predict, query predict, served_* metrics); 0 = the model alone; not used by encoder=cbow (not a next-word model)"),
          new Key(
              "mixture-ngrams",
              "500000",
              "capacity of the mixture's n-gram table in stored n-grams of all orders (up to ~100 bytes each in memory, taken once the mixture holds 4,096; 17 in checkpoints and snapshots); when full, the n-grams seen once are dropped; counts halve every half-life tokens"),
          new Key(
              "eval-every",
              "0",
              "score 1 in N tokens with the exact softmax before learning (0 = auto: about eval-budget multiply-adds per token; loss=softmax scores every token)"),
          new Key(
              "eval-budget",
              "400",
              "for eval-every=0: exact-evaluation multiply-adds allowed per token on average"),
          new Key(
              "eval-exact-vocab",
              "100000",
              "loss=ns: while at most this many words are in use a score is the exact softmax (V*H multiply-adds); above, log Z is estimated from eval-sample rows (importance sampling over the noise distribution, exact for frequent words), so scoring cost stops growing with V"),
          new Key(
              "eval-sample",
              "256",
              "rows drawn from the noise distribution per sampled score (see eval-exact-vocab)"),
          new Key("eval-window", "1000", "windowed metrics cover the last this many scored tokens"),
          new Key(
              "max-line-chars",
              "1000000",
              "the tokenizer reads at most this many characters of one record"),
          new Key(
              "export-vectors",
              "auto",
              "word vectors for export and similarity queries: input (E, what a word predicts), output (W, what predicts the word), sum (E + W, needs h = d), concat (E beside W, d + h numbers); auto = sum when h = d, else input (training is the same for all)"),
          new Key(
              "seed",
              "1",
              "seed of every random choice; same seed + same stream = same model, bit for bit"));

  /** Largest {@link #batch}: the batch's scratch grows with it, and its rows must stay in cache. */
  public static final int MAX_BATCH = 64;

  private static final Map<String, Key> BY_NAME = new LinkedHashMap<>();

  static {
    for (Key k : KEYS) BY_NAME.put(k.name(), k);
  }

  private final Map<String, String> values;

  public final int dim, context, hidden, negatives, minCount, vocabSize, candidates, noiseRefresh;
  public final int evalEvery, evalBudget, evalWindow, evalExactVocab, evalSample, maxLineChars;
  public final int mixtureOrder, mixtureNgrams, batch;
  public final Encoder encoder;
  public final LossKind loss;
  public final Optimizer optimizer;
  public final ExportVectors exportVectors;
  public final double noisePower, lr, sample, halfLife;
  public final long seed, adagradHalfLife;

  private ModelConfig(Map<String, String> values) {
    this.values = Map.copyOf(values);
    dim = intIn("dim", 1, 4096);
    context = intIn("context", 1, 64);
    hidden = intIn("hidden", 1, 8192);
    negatives = intIn("negatives", 1, 1000);
    minCount = intIn("min-count", 1, Integer.MAX_VALUE);
    vocabSize = intIn("vocab-size", 3, 50_000_000);
    candidates = intIn("candidates", 1, 100_000_000);
    noiseRefresh = intIn("noise-refresh", 1, Integer.MAX_VALUE);
    evalEvery = intIn("eval-every", 0, Integer.MAX_VALUE);
    evalBudget = intIn("eval-budget", 1, Integer.MAX_VALUE);
    evalWindow = intIn("eval-window", 1, 10_000_000);
    mixtureOrder = intIn("mixture-order", 0, 6);
    mixtureNgrams = intIn("mixture-ngrams", 1024, 1 << 28);
    evalExactVocab = intIn("eval-exact-vocab", 3, Integer.MAX_VALUE);
    evalSample = intIn("eval-sample", 2, 1_000_000);
    maxLineChars = intIn("max-line-chars", 1, Integer.MAX_VALUE);
    encoder = oneOf("encoder", Encoder.class);
    loss = oneOf("loss", LossKind.class);
    optimizer = oneOf("optimizer", Optimizer.class);
    noisePower = doubleIn("noise-power", 0, 2);
    lr = "auto".equals(raw("lr")) ? autoLearningRate() : doubleIn("lr", 1e-9, 100);
    sample = doubleIn("sample", 0, 1);
    halfLife = doubleIn("half-life", 1, 1e18);
    seed = longValue("seed");
    adagradHalfLife = zeroOrWhole("adagrad-half-life", 100, 1_000_000_000_000L);
    batch = intIn("batch", 1, MAX_BATCH);
    if (batch > 1 && (loss != LossKind.NS || encoder == Encoder.BENGIO))
      throw bad(
          "batch",
          "1 with loss="
              + raw("loss")
              + " and encoder="
              + raw("encoder")
              + ": mini-batches need loss=ns and encoder lbl or cbow");
    exportVectors =
        "auto".equals(raw("export-vectors"))
            ? (hiddenSize() == dim ? ExportVectors.SUM : ExportVectors.INPUT)
            : oneOf("export-vectors", ExportVectors.class, "auto|");
    if (exportVectors == ExportVectors.SUM && hiddenSize() != dim) {
      throw bad(
          "export-vectors",
          "input, output or concat: sum adds E (d = "
              + dim
              + ") and W (h = "
              + hiddenSize()
              + ") row by row, so it needs hidden = dim");
    }
  }

  private double autoLearningRate() {
    if (optimizer == Optimizer.SGD) return 0.05;
    return switch (encoder) {
      case LBL -> 0.15;
      case CBOW -> 0.2;
      case BENGIO -> 0.05;
    };
  }

  public static ModelConfig defaults() {
    Map<String, String> m = new LinkedHashMap<>();
    for (Key k : KEYS) m.put(k.name(), k.defaultValue());
    return new ModelConfig(m);
  }

  /** True if name is a model key (the app uses this to route its config keys). */
  public static boolean isKey(String name) {
    return BY_NAME.containsKey(name);
  }

  /**
   * A copy with one key changed; unknown keys and bad values throw IllegalArgumentException naming
   * the key and the fix.
   */
  public ModelConfig with(String name, String value) {
    if (!BY_NAME.containsKey(name)) {
      throw new IllegalArgumentException(
          "unknown model key '" + name + "'; known keys: " + String.join(", ", BY_NAME.keySet()));
    }
    Map<String, String> m = new LinkedHashMap<>(values);
    m.put(name, value == null ? "" : value.trim());
    return new ModelConfig(m);
  }

  public ModelConfig withAll(Map<String, String> overrides) {
    ModelConfig c = this;
    for (Map.Entry<String, String> e : overrides.entrySet()) c = c.with(e.getKey(), e.getValue());
    return c;
  }

  public String get(String name) {
    return values.get(name);
  }

  /** Size h of the vector the context encoder produces (and of each output-weight row). */
  public int hiddenSize() {
    return encoder == Encoder.BENGIO ? hidden : dim;
  }

  /**
   * The exported vectors as the config key spells them, auto resolved (sum, input, output, concat):
   * what reports show.
   */
  public String exportVectorsName() {
    return exportVectors.name().toLowerCase(Locale.ROOT);
  }

  /** Number of context positions the encoder reads. */
  public int contextPositions() {
    return encoder == Encoder.CBOW ? 2 * context : context;
  }

  /** Values in key order as given (lr may say auto), for logs and --print-config. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (Key k : KEYS) m.put(k.name(), values.get(k.name()));
    return m;
  }

  /**
   * Values in key order as checkpoints and snapshots store them: lr as the number it resolved to
   * (never "auto"), so a restore continues with the rate the model was trained with even after a
   * later version changes what auto means. Parsing this back gives the same {@link #lr} bit for bit
   * (Double.toString round-trips). batch is left out at its default 1. Equality compares these
   * values, so a configured lr=auto equals a stored config holding the number auto resolves to (and
   * 0.1 equals 1e-1).
   */
  public Map<String, String> storedMap() {
    Map<String, String> m = asMap();
    m.put("lr", Double.toString(lr));
    // a key added after the checkpoint and snapshot formats: absent means its default, so models
    // that do not use it keep their bytes and older builds read them
    if (batch == 1) m.remove("batch");
    return m;
  }

  public void write(DataOutput out) throws IOException {
    Map<String, String> stored = storedMap();
    out.writeInt(stored.size());
    for (Map.Entry<String, String> e : stored.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
  }

  /**
   * Reads what {@link #write} wrote. A config stored with lr=auto (older checkpoints) loads with
   * this build's auto rate, which may differ from the rate it was trained with; configs written now
   * hold the resolved number.
   */
  public static ModelConfig read(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 1000) throw new IOException("corrupt model config: " + n + " keys");
    ModelConfig c = defaults();
    try {
      for (int i = 0; i < n; i++) c = c.with(in.readUTF(), in.readUTF());
    } catch (IllegalArgumentException e) {
      throw new IOException("stored model config is invalid: " + e.getMessage(), e);
    }
    return c;
  }

  /**
   * Same resolved hyper-parameters ({@link #storedMap()}): lr=auto equals the number it resolves
   * to.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof ModelConfig c && c.storedMap().equals(storedMap());
  }

  @Override
  public int hashCode() {
    return storedMap().hashCode();
  }

  @Override
  public String toString() {
    return asMap().toString();
  }

  private String raw(String name) {
    return values.get(name);
  }

  private IllegalArgumentException bad(String name, String expected) {
    Key k = BY_NAME.get(name);
    return new IllegalArgumentException(
        "model key '"
            + name
            + "' = '"
            + raw(name)
            + "' is invalid: expected "
            + expected
            + " ("
            + k.doc()
            + "; default "
            + k.defaultValue()
            + ")");
  }

  private int intIn(String name, int lo, int hi) {
    double v = doubleIn(name, lo, hi);
    if (v != Math.rint(v)) throw bad(name, "a whole number");
    return (int) v;
  }

  private double doubleIn(String name, double lo, double hi) {
    double v;
    try {
      v = Double.parseDouble(raw(name));
    } catch (NumberFormatException | NullPointerException e) {
      throw bad(name, "a number in [" + lo + ", " + hi + "]");
    }
    if (!(v >= lo && v <= hi)) throw bad(name, "a number in [" + lo + ", " + hi + "]");
    return v;
  }

  /** 0 (off), or a whole number in [lo, hi]. */
  private long zeroOrWhole(String name, long lo, long hi) {
    double v;
    try {
      v = Double.parseDouble(raw(name));
    } catch (NumberFormatException | NullPointerException e) {
      v = Double.NaN;
    }
    if (v == 0) return 0;
    if (!(v >= lo && v <= hi) || v != Math.rint(v))
      throw bad(name, "0 (off) or a whole number in [" + lo + ", " + hi + "]");
    return (long) v;
  }

  private long longValue(String name) {
    try {
      return Long.parseLong(raw(name));
    } catch (NumberFormatException e) {
      throw bad(name, "a 64-bit integer");
    }
  }

  private <E extends Enum<E>> E oneOf(String name, Class<E> type) {
    return oneOf(name, type, "");
  }

  private <E extends Enum<E>> E oneOf(String name, Class<E> type, String extraOptions) {
    try {
      return Enum.valueOf(type, raw(name).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      java.util.StringJoiner opts = new java.util.StringJoiner("|");
      for (E c : type.getEnumConstants()) opts.add(c.name().toLowerCase(Locale.ROOT));
      throw bad(name, "one of " + extraOptions + opts);
    }
  }
}
