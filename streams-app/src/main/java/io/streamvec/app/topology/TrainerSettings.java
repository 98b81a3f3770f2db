package io.streamvec.app.topology;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.io.RowEncoding;
import io.streamvec.model.io.SnapshotChunks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The part of the app config the training processor needs, read once. */
public record TrainerSettings(
    String modelId,
    ModelConfig model,
    long checkpointEveryRecords,
    long checkpointEveryTokens,
    long checkpointBytesPerToken,
    long checkpointSliceBytes,
    long snapshotSliceBytes,
    long snapshotEveryTokens,
    long snapshotEveryMs,
    long idleSnapshotMs,
    long metricsEveryMs,
    long metricsHalfLifeTokens,
    int chunkBytes,
    RowEncoding snapshotEncoding,
    int learnerQueueTokens,
    int learnerThreads,
    int historyWords) {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerSettings.class);

  public static TrainerSettings from(AppConfig c) {
    int chunk = c.getInt(AppKeys.SNAPSHOT_CHUNK_BYTES);
    if (chunk < SnapshotChunks.MIN_MAX_CHUNK_BYTES) {
      throw new ConfigException(
          "config key '"
              + AppKeys.SNAPSHOT_CHUNK_BYTES
              + "' = "
              + chunk
              + " is too small: chunks need at least "
              + SnapshotChunks.MIN_MAX_CHUNK_BYTES
              + " bytes (default "
              + SnapshotChunks.DEFAULT_MAX_CHUNK_BYTES
              + ")");
    }
    return new TrainerSettings(
        c.get(AppKeys.MODEL_ID),
        c.model(),
        c.getLong(AppKeys.CHECKPOINT_INTERVAL_RECORDS),
        c.getLong(AppKeys.CHECKPOINT_INTERVAL_TOKENS),
        c.getLong(AppKeys.CHECKPOINT_BYTES_PER_TOKEN),
        sliceBytes(c, AppKeys.CHECKPOINT_SLICE_BYTES, AppKeys.DEFAULT_CHECKPOINT_SLICE_BYTES),
        sliceBytes(c, AppKeys.SNAPSHOT_SLICE_BYTES, AppKeys.DEFAULT_SNAPSHOT_SLICE_BYTES),
        c.getLong(AppKeys.SNAPSHOT_INTERVAL_TOKENS),
        c.getLong(AppKeys.SNAPSHOT_INTERVAL_MS),
        c.getLong(AppKeys.IDLE_SNAPSHOT_MS),
        c.getLong(AppKeys.METRICS_INTERVAL_MS),
        c.getLong(AppKeys.METRICS_HALF_LIFE_TOKENS),
        chunk,
        RowEncoding.fromConfigName(c.get(AppKeys.SNAPSHOT_ENCODING)),
        c.getInt(AppKeys.LEARNER_QUEUE_TOKENS),
        learnerThreads(c),
        c.getInt(AppKeys.HISTORY_WORDS));
  }

  /**
   * learner.threads, refused at start where the second thread could not run: the fading AdaGrad
   * clock, the softmax loss and mini-batches stay on the learner's own thread.
   */
  private static int learnerThreads(AppConfig c) {
    int n = c.getInt(AppKeys.LEARNER_THREADS);
    ModelConfig m = c.model();
    if (n > 1 && !Learner.stepThreadSupported(m)) {
      String fix =
          m.optimizer == ModelConfig.Optimizer.ADAGRAD && m.adagradHalfLife > 0
              ? "fading AdaGrad (adagrad-half-life = " + m.adagradHalfLife + ")"
              : m.batch > 1 ? "mini-batches (batch = " + m.batch + ")" : "loss=softmax";
      throw new ConfigException(
          "config key '"
              + AppKeys.LEARNER_THREADS
              + "' = "
              + n
              + " cannot be used with "
              + fix
              + ", which learns on one thread only: set "
              + AppKeys.LEARNER_THREADS
              + "=1, or loss=ns with adagrad-half-life=0 and batch=1");
    }
    return n;
  }

  /**
   * Gives learner its threads (learner.threads). A restored model keeps its stored
   * hyper-parameters, which may rule the second thread out: then it learns on one, and says so.
   */
  void startThreads(Learner learner) {
    learner.setThreads(learnerThreads);
    if (learner.threads() < learnerThreads)
      LOG.warn(
          "model '{}' learns on 1 thread, not {} ({}): its stored hyper-parameters (loss={},"
              + " adagrad-half-life={}) keep learning on one",
          modelId,
          learnerThreads,
          AppKeys.LEARNER_THREADS,
          learner.config().loss.name().toLowerCase(java.util.Locale.ROOT),
          learner.config().adagradHalfLife);
  }

  /**
   * Smallest checkpoint or snapshot slice (a slice holds at least one row, global piece or snapshot
   * record whatever this is).
   */
  public static final long MIN_SLICE_BYTES = 4096;

  private static long sliceBytes(AppConfig c, String key, String defaultValue) {
    long slice = c.getLong(key);
    if (slice < MIN_SLICE_BYTES)
      throw new ConfigException(
          "config key '"
              + key
              + "' = "
              + slice
              + " is too small: use at least "
              + MIN_SLICE_BYTES
              + " bytes; the default is "
              + defaultValue);
    return slice;
  }

  /**
   * The settings of one of several models: its name and hyper-parameters, learning on the stream
   * thread (one learner thread, or step thread, per model would not scale to thousands of small
   * models; the tasks of the model topic spread them over stream threads and instances instead).
   */
  public TrainerSettings forModel(String name, ModelConfig config) {
    return new TrainerSettings(
        name,
        config,
        checkpointEveryRecords,
        checkpointEveryTokens,
        checkpointBytesPerToken,
        checkpointSliceBytes,
        snapshotSliceBytes,
        snapshotEveryTokens,
        snapshotEveryMs,
        idleSnapshotMs,
        metricsEveryMs,
        metricsHalfLifeTokens,
        chunkBytes,
        snapshotEncoding,
        0,
        1,
        historyWords);
  }

  /** How often the snapshot timer looks at the clock: often enough for both time-based triggers. */
  long tickMs() {
    return Math.max(10, Math.min(1000, Math.min(snapshotEveryMs, idleSnapshotMs) / 4));
  }
}
