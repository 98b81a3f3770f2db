package io.streamvec.app.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.status.TrainingReport;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotPublisher;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of the model. {@link #process} is one training step on one token line; every
 * {@code checkpoint.interval.tokens} tokens or {@code checkpoint.interval.records} records (counts,
 * never the clock) the state goes to the logged stores ({@link ModelStore}). Snapshots are
 * published every {@code snapshot.interval.tokens} tokens, every {@code snapshot.interval.ms} while
 * tokens arrive, and once the input has been idle for {@code idle.snapshot.ms}; metrics every
 * {@code metrics.interval.ms}. Whatever one call forwards lands in one Kafka transaction: a
 * snapshot version (its changed row blocks and its manifest) is published whole or not at all.
 * Publishing reads the model and never changes it, so time-driven work cannot alter training.
 */
public final class TrainingProcessor implements Processor<String, String, String, Published> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingProcessor.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainerSettings settings;
  private final TrainingStatus status;
  private final Consumer<ModelSnapshot> listener;

  // everything below is (re)set by init: Kafka Streams may re-initialise the same instance after a
  // failure
  private ProcessorContext<String, Published> context;
  private ModelStore store;
  private SnapshotPublisher publisher;
  private Learner
      learner; // with a worker, only the worker touches it after init (requests go through its
  // queue)
  private LearnerThread worker; // null: learn on the stream thread
  private long records, replayed, tokens, workerStartRecords;
  private long snapshotRequestedTokens,
      nextSnapshotVersion; // the last snapshot asked for (published or still being taken)
  private long checkpointedRecords,
      checkpointedTokens; // where the last checkpoint was taken (or asked for)
  private long lastInputMs, lastSnapshotMs, lastReportMs, lastReportTokens;
  private double snapshotBytes, snapshotSeconds, checkpointSeconds;

  public TrainingProcessor(
      TrainerSettings settings, TrainingStatus status, Consumer<ModelSnapshot> listener) {
    this.settings = settings;
    this.status = status;
    this.listener = listener;
  }

  @Override
  public void init(ProcessorContext<String, Published> context) {
    this.context = context;
    if (context.taskId().partition() != 0) {
      // one model, one writer: a second training task means the input grew partitions while the
      // app trained them in the validating task (the one-partition shape is chosen at start)
      throw new ModelStateException(
          "training task "
              + context.taskId()
              + " would be a second writer of model '"
              + settings.modelId()
              + "': the input topics gained partitions while the app was running; restart the app (it then trains through one "
              + "repartition topic, and continues the same model from its stores)");
    }
    // a new publisher knows nothing published: its first snapshot sends every row block
    publisher = new SnapshotPublisher(settings.modelId(), settings.chunkBytes());
    store =
        new ModelStore(
            context.getStateStore(StreamvecTopology.ROWS_STORE),
            context.getStateStore(StreamvecTopology.GLOBAL_STORE),
            context.getStateStore(StreamvecTopology.REPLAY_STORE));
    snapshotBytes = snapshotSeconds = checkpointSeconds = Double.NaN;
    ModelStateReader.Restored restored = store.restore();
    learner = restored.learner();
    records = restored.meta().checkpointRecords();
    if (learner == null) {
      // no checkpoint yet (snapshots may have been published): the log holds every record
      learner = new Learner(settings.model());
    } else if (!learner.config().equals(settings.model())) {
      // resolved values: a configured lr=auto equals the stored number
      LOG.warn(
          "model '{}' continues with its stored hyper-parameters {}; the configured ones differ and"
              + " are ignored (use a new application.id to train a new model)",
          settings.modelId(),
          learner.config());
    }
    learner.setRecentHalfLife(settings.metricsHalfLifeTokens());
    checkpointedRecords = records;
    checkpointedTokens = learner.tokens();
    // the records since the checkpoint, exactly as first learned; nothing is re-published
    List<String> lines = restored.replayLines();
    for (String line : lines) {
      learner.learn(Arrays.asList(line.split(" ")));
      CrashPoint.reached(CrashPoint.REPLAYED_LINE);
    }
    records += lines.size();
    replayed = lines.size();
    tokens = learner.tokens();
    long now = context.currentSystemTimeMs();
    lastInputMs = lastSnapshotMs = lastReportMs = now;
    lastReportTokens = learner.tokens();
    snapshotRequestedTokens = store.meta().snapshotTokens();
    nextSnapshotVersion = store.meta().snapshotVersion() + 1;
    if (learner.tokens() > 0) {
      LOG.info(
          "model '{}' restored: {} records, {} tokens ({} records replayed), last snapshot version {}",
          settings.modelId(),
          records,
          learner.tokens(),
          replayed,
          store.meta().snapshotVersion());
      // the query side gets the model at once if it is exactly the last published one
      if (learner.tokens() == store.meta().snapshotTokens())
        notifyListener(learner.snapshot(store.meta().snapshotVersion()));
    }
    if (worker != null)
      worker.close(); // a re-initialised instance: the old worker learned into a discarded learner
    workerStartRecords = records;
    worker =
        settings.learnerQueueTokens() > 0
            ? new LearnerThread(
                learner, settings.learnerQueueTokens(), "streamvec-learner-" + context.taskId())
            : null;
    context.schedule(
        Duration.ofMillis(settings.tickMs()), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    context.schedule(
        Duration.ofMillis(settings.metricsEveryMs()),
        PunctuationType.WALL_CLOCK_TIME,
        this::report);
  }

  @Override
  public void process(Record<String, String> record) {
    String line = record.value();
    if (line == null || line.isEmpty())
      return; // the validator never sends these; a hand-written record might
    String[] lineTokens = line.split(" ");
    records++;
    store.append(records, line); // durable (with this commit) before it is learned
    tokens += lineTokens.length;
    if (worker != null) worker.submit(lineTokens);
    else learner.learn(Arrays.asList(lineTokens));
    lastInputMs = context.currentSystemTimeMs();
    if (records - checkpointedRecords >= settings.checkpointEveryRecords()
        || tokens - checkpointedTokens >= settings.checkpointEveryTokens()) {
      checkpointedRecords = records;
      checkpointedTokens = tokens;
      // with a learner thread it captures the image at exactly this record and goes on learning; it
      // is written when ready
      if (worker == null) writeCheckpoint(ModelStore.capture(learner, records));
      else worker.requestCheckpoint(records);
    }
    if (tokens - snapshotRequestedTokens >= settings.snapshotEveryTokens())
      requestSnapshot(lastInputMs);
    publishTaken(lastInputMs);
  }

  @Override
  public void close() {
    if (worker != null) worker.close();
    worker = null;
  }

  /**
   * Writes the checkpoints and publishes the snapshots the learner thread has taken since the last
   * call.
   */
  private void publishTaken(long now) {
    if (worker == null) return;
    for (ModelStore.CheckpointImage image = worker.readyCheckpoint();
        image != null;
        image = worker.readyCheckpoint()) writeCheckpoint(image);
    for (ModelSnapshot snapshot = worker.readySnapshot();
        snapshot != null;
        snapshot = worker.readySnapshot()) publishSnapshot(snapshot, now);
  }

  private void writeCheckpoint(ModelStore.CheckpointImage image) {
    long t0 = System.nanoTime();
    store.write(image);
    CrashPoint.reached(CrashPoint.CHECKPOINT_WRITTEN);
    checkpointSeconds = (image.captureNanos() + System.nanoTime() - t0) / 1e9;
  }

  /**
   * Time-driven snapshots: while tokens arrive (snapshot.interval.ms), and once after
   * idle.snapshot.ms without input.
   */
  private void onTick(long now) {
    publishTaken(
        now); // what was taken after the last record, and the idle snapshot asked for at the
    // previous tick
    if (tokens == snapshotRequestedTokens) return; // nothing new since the last snapshot
    if (now - lastSnapshotMs >= settings.snapshotEveryMs()
        || now - lastInputMs >= settings.idleSnapshotMs()) requestSnapshot(now);
  }

  /**
   * A snapshot of the model after exactly the tokens submitted so far. The learner thread copies
   * the model at that point and goes on learning; encoding and sending it happen here later.
   */
  private void requestSnapshot(long now) {
    long version = nextSnapshotVersion++;
    snapshotRequestedTokens = tokens;
    lastSnapshotMs = now;
    if (worker == null) publishSnapshot(learner.snapshot(version), now);
    else worker.requestSnapshot(version);
  }

  private void publishSnapshot(ModelSnapshot snapshot, long now) {
    long t0 = System.nanoTime();
    // the row blocks that changed since the last snapshot, then the manifest, in this transaction
    publisher.publish(
        snapshot, (key, value) -> context.forward(new Record<>(key, Published.chunk(value), now)));
    store.snapshotPublished(snapshot.version, snapshot.tokens);
    snapshotBytes = publisher.lastBytes();
    snapshotSeconds = (System.nanoTime() - t0) / 1e9;
    notifyListener(snapshot);
  }

  private void notifyListener(ModelSnapshot snapshot) {
    try {
      listener.accept(snapshot);
    } catch (RuntimeException e) {
      LOG.warn("snapshot listener failed on version {}; training goes on", snapshot.version, e);
    }
  }

  /** One metrics record, and the same report for the HTTP API and meters. */
  private void report(long now) {
    // with a learner thread: as of the last line it finished (at most learner.queue.records
    // behind), never waiting for the rest
    LearnerThread.Progress progress = worker == null ? null : worker.progress();
    Map<String, Double> v =
        new LinkedHashMap<>(progress == null ? learner.stats() : progress.stats());
    long learnedTokens = v.get("tokens").longValue();
    double seconds = (now - lastReportMs) / 1000.0;
    v.put("records", (double) (progress == null ? records : workerStartRecords + progress.lines()));
    v.put(
        "tokens_per_sec", seconds > 0 ? (learnedTokens - lastReportTokens) / seconds : Double.NaN);
    v.put("snapshot_version", (double) store.meta().snapshotVersion());
    v.put("snapshot_bytes", snapshotBytes);
    v.put("snapshot_seconds", snapshotSeconds);
    v.put("checkpoint_seconds", checkpointSeconds);
    v.put("checkpoint_records", (double) store.meta().checkpointRecords());
    v.put("replayed_records", (double) replayed);
    v.put("dlq_records", (double) status.deadLettered());
    TrainingReport report = new TrainingReport(settings.modelId(), now, v);
    lastReportMs = now;
    lastReportTokens = learnedTokens;
    status.publish(report);
    try {
      context.forward(
          new Record<>(
              settings.modelId(),
              Published.metrics(JSON.writeValueAsBytes(report.toJsonMap())),
              now));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of numbers always serializes", e);
    }
  }
}
