package io.streamvec.app.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.status.TrainingReport;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotPublisher;
import io.streamvec.model.query.CompactSnapshot;
import io.streamvec.model.query.CompactSnapshotFormat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model, trained by the one task that owns it: its learner, its stores ({@link ModelStore}),
 * its {@link TrainingSchedule} and its publishing (snapshot row blocks through a {@link
 * SnapshotPublisher}, metrics records keyed by the model). {@link #learn} is one training step on
 * one token line. Whatever one call forwards lands in the task's Kafka transaction. A snapshot
 * version that fits {@code snapshot.slice.bytes} is published in the transaction of the record or
 * tick that took it; a bigger one in slices of that size, one per commit ({@link
 * #writeSnapshotSlice}), interleaved with the slices of a checkpoint, readers keeping the previous
 * version until the last slice is in. Publishing reads the model and never changes it, so
 * time-driven work cannot alter training.
 */
final class ModelTrainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelTrainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the trainer's records go: the task's context. */
  interface Output {
    void forward(String key, Published value, long timestampMs);

    /** Asks for a commit as soon as the current record or punctuation is done. */
    void commit();
  }

  private final TrainerSettings settings;
  private final TrainingStatus status;
  private final SnapshotListener listener;
  private final ModelStore store;
  private final Output out;
  private final TrainingSchedule schedule;
  // a new publisher knows nothing published: its first snapshot sends every row block
  private final SnapshotPublisher publisher;
  private Learner learner; // with a worker, only the worker touches it after restore
  private LearnerThread worker; // null: learn on the stream thread
  private long replayed, workerStartRecords, nextSnapshotVersion;
  private boolean checkpointRequested; // of the learner thread, not yet handed over
  private long checkpointStartNanos, checkpointBytesSoFar;
  private int checkpointSlices;
  private double checkpointBytes = Double.NaN;
  private long snapshotStartNanos;
  private int snapshotSlice; // slices of the version being published written so far
  private long lastReportMs, lastReportTokens;
  private double snapshotBytes = Double.NaN;
  private double snapshotSeconds = Double.NaN;
  private double snapshotSlices = Double.NaN;
  private double checkpointSeconds = Double.NaN;
  private final SlicePacer pacer = new SlicePacer();

  ModelTrainer(
      TrainerSettings settings,
      TrainingStatus status,
      SnapshotListener listener,
      ModelStore store,
      Output out) {
    this.settings = settings;
    this.status = status;
    this.listener = listener;
    this.store = store;
    this.out = out;
    this.schedule = new TrainingSchedule(settings);
    this.publisher =
        new SnapshotPublisher(
            settings.modelId(), settings.chunkBytes(), settings.snapshotEncoding());
  }

  String modelId() {
    return settings.modelId();
  }

  /**
   * The model as its stores hold it: the last checkpoint (a new learner while there is none), then
   * the records logged since, exactly as first learned; nothing is re-published.
   */
  void restore(long now, String workerName) {
    close(); // a re-initialised task: the old worker learned into a discarded learner
    ModelStateReader.Restored restored = store.restore();
    learner = restored.learner();
    long records = restored.meta().checkpointRecords();
    if (learner == null) {
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
    settings.startThreads(learner); // learner.threads
    long checkpointTokens = learner.tokens();
    schedule.checkpointWords(learner.vocabulary().size());
    List<String> lines = restored.replayLines();
    for (String line : lines) {
      learner.learn(Arrays.asList(line.split(" ")));
      CrashPoint.reached(CrashPoint.REPLAYED_LINE);
    }
    replayed = lines.size();
    records += replayed;
    ModelStateReader.Meta meta = store.meta();
    schedule.restored(
        records,
        learner.tokens(),
        meta.checkpointRecords(),
        checkpointTokens,
        meta.snapshotTokens(),
        now);
    lastReportMs = now;
    lastReportTokens = learner.tokens();
    nextSnapshotVersion = meta.snapshotVersion() + 1;
    try {
      publisher.restoreState(store.snapshotPublisherState());
    } catch (IllegalArgumentException e) {
      throw new ModelStateException(
          "the model state cannot be restored exactly: the value of key '"
              + ModelStore.SNAPSHOT_PUBLISHER_KEY
              + "' in "
              + StreamvecTopology.GLOBAL_STORE
              + " "
              + e.getMessage()
              + ". "
              + ModelStateReader.WHAT_TO_DO,
          e);
    }
    if (learner.tokens() > 0) {
      LOG.info(
          "model '{}' restored: {} records, {} tokens ({} records replayed), last snapshot version {}",
          settings.modelId(),
          records,
          learner.tokens(),
          replayed,
          meta.snapshotVersion());
      // the query side gets the model at once if it is exactly the last published one
      if (learner.tokens() == meta.snapshotTokens())
        notifyListener(learner.snapshot(meta.snapshotVersion()));
    }
    checkpointRequested = false;
    workerStartRecords = records;
    worker =
        settings.learnerQueueTokens() > 0
            ? new LearnerThread(learner, settings.learnerQueueTokens(), workerName)
            : null;
  }

  /** One token line, logged before it is learned; then whatever the schedule calls for. */
  void learn(TokenLine line, long now) {
    String[] tokens = line.tokens();
    schedule.record(tokens.length, now);
    store.append(schedule.records(), line); // durable (with this commit) before it is learned
    if (worker != null) worker.submit(tokens);
    else learner.learn(Arrays.asList(tokens));
    // one checkpoint at a time: the next is due once the last one is complete
    if (!checkpointRequested && !store.writing() && schedule.takeCheckpoint()) {
      // a learner thread captures the image at exactly this record and goes on learning; the
      // image is written when ready
      if (worker == null) beginCheckpoint(ModelStore.capture(learner, schedule.records()));
      else {
        worker.requestCheckpoint(schedule.records());
        checkpointRequested = true;
      }
    }
    // one snapshot version in publication at a time: the next is due once it is complete
    if (!publisher.publishing() && schedule.takeSnapshotByTokens(now)) requestSnapshot(now);
    publishTaken(now);
  }

  /** The clock's part: what the learner thread has taken, and time-driven snapshots. */
  void tick(long now) {
    publishTaken(now);
    if (!publisher.publishing() && schedule.takeSnapshotByTime(now)) requestSnapshot(now);
  }

  @Override
  public void close() {
    if (worker != null) worker.close();
    worker = null;
    try {
      if (learner != null) learner.setThreads(1); // stops its step thread (learner.threads)
    } catch (IllegalStateException e) { // the step thread failed, and has ended
      LOG.debug("model '{}': closing after a failed step thread", settings.modelId(), e);
    }
  }

  /** Starts the checkpoint the learner thread took and publishes the snapshots it took. */
  private void publishTaken(long now) {
    if (worker == null) return;
    ModelStore.CheckpointImage image = worker.readyCheckpoint();
    if (image != null) {
      checkpointRequested = false;
      beginCheckpoint(image);
    }
    while (!publisher.publishing()) {
      ModelSnapshot snapshot = worker.readySnapshot();
      if (snapshot == null) break;
      publishSnapshot(snapshot, now);
    }
  }

  /**
   * Starts writing image as the checkpoint: its first slice now, the rest by {@link #writeSlice}.
   */
  private void beginCheckpoint(ModelStore.CheckpointImage image) {
    schedule.checkpointWords(image.words());
    checkpointStartNanos = System.nanoTime() - image.captureNanos();
    checkpointBytesSoFar = 0;
    checkpointSlices = 0;
    store.begin(image);
    writeSlice(settings.checkpointSliceBytes());
  }

  /**
   * Whether the next checkpoint or snapshot slice may go now: at once without a learner thread,
   * else when the learner's queue is full enough ({@link SlicePacer}).
   */
  boolean sliceMayGo(long now) {
    return worker == null
        || pacer.mayGo(
            now,
            schedule.records(),
            worker.roomWaits(),
            worker.queuedTokens(),
            worker.capacityTokens());
  }

  /**
   * Writes the next slice (about budget bytes) of the checkpoint being written, if any, and asks
   * for a commit after it, so that a transaction carries one slice (the first two may share one:
   * see CrashPoint), whatever the model's size. Returns the bytes written.
   */
  long writeSlice(long budget) {
    if (!store.writing()) return 0;
    long bytes = store.writeSlice(budget);
    checkpointBytesSoFar += bytes;
    checkpointSlices++;
    out.commit();
    if (store.writing()) {
      // from the second slice on: a halt aborts this slice's transaction, and from the third on
      // the slices before it are committed, so the stores then hold part of the checkpoint
      if (checkpointSlices > 1) CrashPoint.reached(CrashPoint.CHECKPOINT_SLICE_WRITTEN);
      return bytes;
    }
    CrashPoint.reached(CrashPoint.CHECKPOINT_WRITTEN);
    checkpointSeconds = (System.nanoTime() - checkpointStartNanos) / 1e9;
    checkpointBytes = checkpointBytesSoFar;
    LOG.debug(
        "model '{}' checkpoint of record {}: {} bytes in {} slice(s), {} s",
        settings.modelId(),
        store.meta().checkpointRecords(),
        checkpointBytesSoFar,
        checkpointSlices,
        checkpointSeconds);
    return bytes;
  }

  /**
   * A snapshot after exactly the tokens submitted so far: the learner thread copies the model at
   * that point and goes on learning; encoding and sending happen on the stream thread.
   */
  private void requestSnapshot(long now) {
    long version = nextSnapshotVersion++;
    if (worker == null) publishSnapshot(learner.snapshot(version), now);
    else worker.requestSnapshot(version);
  }

  /** Starts publishing snapshot: its first slice now, the rest by {@link #writeSnapshotSlice}. */
  private void publishSnapshot(ModelSnapshot snapshot, long now) {
    snapshotStartNanos = System.nanoTime();
    snapshotSlice = 0;
    publisher.begin(snapshot);
    writeSnapshotSlice(settings.snapshotSliceBytes(), now);
  }

  /**
   * Writes the next slice (about budget bytes) of the snapshot version being published, if any. A
   * slice that leaves the version incomplete asks for a commit, so that a transaction carries one
   * slice (the first two may share one: see CrashPoint); the last slice (its manifest) completes
   * the version in the same transaction as the stores' record of it and its history record. Returns
   * the bytes written.
   */
  long writeSnapshotSlice(long budget, long now) {
    if (!publisher.publishing()) return 0;
    ModelSnapshot snapshot = publisher.current();
    long bytes =
        publisher.publishSlice(
            (key, value) -> out.forward(key, Published.chunk(value), now), budget);
    snapshotSlice++;
    if (publisher.publishing()) {
      out.commit();
      if (snapshotSlice > 1) CrashPoint.reached(CrashPoint.SNAPSHOT_SLICE_WRITTEN);
      return bytes;
    }
    ModelSnapshot served = publisher.asPublished(snapshot);
    // its compact form for drift and time travel, stamped now, in the same transaction: readers
    // of the history topic (read_committed) see exactly the committed versions, built from the
    // floats readers of the snapshots topic get (lossy encodings included)
    CompactSnapshot compact = CompactSnapshot.of(served, now, settings.historyWords());
    for (byte[] chunk : CompactSnapshotFormat.chunks(compact, settings.chunkBytes()))
      out.forward(settings.modelId(), Published.history(chunk), now);
    store.snapshotPublished(snapshot.version, snapshot.tokens, publisher.state());
    snapshotBytes = publisher.lastBytes();
    snapshotSeconds = (System.nanoTime() - snapshotStartNanos) / 1e9;
    snapshotSlices = publisher.lastSlices();
    LOG.debug(
        "model '{}' snapshot version {}: {} of {} blocks, {} bytes in {} slice(s), {} s",
        settings.modelId(),
        snapshot.version,
        publisher.lastBlocks(),
        publisher.blockCount(),
        publisher.lastBytes(),
        publisher.lastSlices(),
        snapshotSeconds);
    notifyListener(snapshot);
    return bytes;
  }

  /**
   * Hands snapshot to the query side as the other instances read it from the topic, lossy encodings
   * included: every notification, the one after a restore too, goes through here.
   */
  private void notifyListener(ModelSnapshot snapshot) {
    try {
      listener.published(settings.modelId(), publisher.asPublished(snapshot));
    } catch (RuntimeException e) {
      LOG.warn(
          "snapshot listener failed on model '{}' version {}; training goes on",
          settings.modelId(),
          snapshot.version,
          e);
    }
  }

  /** One metrics record, and the same report for the HTTP API and the meters. */
  void report(long now) {
    // with a learner thread: as of the last line it finished, never waiting for the rest
    LearnerThread.Progress progress = worker == null ? null : worker.progress();
    Map<String, Double> v =
        new LinkedHashMap<>(progress == null ? learner.stats() : progress.stats());
    long learnedTokens = v.get("tokens").longValue();
    double seconds = (now - lastReportMs) / 1000.0;
    v.put(
        "records",
        (double) (progress == null ? schedule.records() : workerStartRecords + progress.lines()));
    v.put(
        "tokens_per_sec", seconds > 0 ? (learnedTokens - lastReportTokens) / seconds : Double.NaN);
    v.put("snapshot_version", (double) store.meta().snapshotVersion());
    v.put("snapshot_bytes", snapshotBytes);
    v.put("snapshot_seconds", snapshotSeconds);
    v.put("snapshot_slices", snapshotSlices);
    v.put("checkpoint_seconds", checkpointSeconds);
    v.put("checkpoint_bytes", checkpointBytes);
    v.put("checkpoint_records", (double) store.meta().checkpointRecords());
    v.put("replayed_records", (double) replayed);
    v.put("dlq_records", (double) status.deadLettered());
    TrainingReport report = new TrainingReport(settings.modelId(), now, v);
    lastReportMs = now;
    lastReportTokens = learnedTokens;
    status.publish(report);
    try {
      out.forward(
          settings.modelId(), Published.metrics(JSON.writeValueAsBytes(report.toJsonMap())), now);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of numbers always serializes", e);
    }
  }
}
