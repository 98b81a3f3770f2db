package io.streamvec.app.topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.app.status.TrainingReport;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotChunks;
import io.streamvec.model.io.SnapshotCodec;
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
 * {@code checkpoint.interval.records} records (a count, never the clock, so the checkpoint
 * schedule is the same in every run) the state goes to the logged stores ({@link ModelStore}).
 * Snapshots are published every {@code snapshot.interval.tokens} tokens, every
 * {@code snapshot.interval.ms} while tokens arrive, and once the input has been idle for
 * {@code idle.snapshot.ms}; metrics every {@code metrics.interval.ms}. Whatever one call
 * forwards lands in one Kafka transaction: a snapshot is published whole or not at all.
 * Publishing reads the model and never changes it, so time-driven work cannot alter training.
 */
public final class TrainingProcessor implements Processor<String, String, String, Published> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingProcessor.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainerSettings settings;
  private final TrainingStatus status;
  private final Consumer<ModelSnapshot> listener;

  // everything below is (re)set by init: Kafka Streams may re-initialise the same instance after a failure
  private ProcessorContext<String, Published> context;
  private ModelStore store;
  private Learner learner;
  private long records, replayed;
  private long lastInputMs, lastSnapshotMs, lastReportMs, lastReportTokens;
  private double snapshotBytes, snapshotSeconds, checkpointSeconds;

  public TrainingProcessor(TrainerSettings settings, TrainingStatus status, Consumer<ModelSnapshot> listener) {
    this.settings = settings;
    this.status = status;
    this.listener = listener;
  }

  @Override
  public void init(ProcessorContext<String, Published> context) {
    this.context = context;
    store = new ModelStore(context.getStateStore(StreamvecTopology.ROWS_STORE), context.getStateStore(StreamvecTopology.GLOBAL_STORE),
        context.getStateStore(StreamvecTopology.REPLAY_STORE));
    snapshotBytes = snapshotSeconds = checkpointSeconds = Double.NaN;
    learner = store.restoreCheckpoint();
    records = store.meta().checkpointRecords();
    if (learner == null) {
      learner = new Learner(settings.model());
    } else if (!learner.config().equals(settings.model())) {
      LOG.warn("model '{}' continues with its stored hyper-parameters {}; the configured ones differ and are ignored "
          + "(use a new application.id to train a new model)", settings.modelId(), learner.config());
    }
    // the records since the checkpoint, exactly as first learned; nothing is re-published
    List<String> lines = store.replayLines();
    for (String line : lines) learner.learn(Arrays.asList(line.split(" ")));
    records += lines.size();
    replayed = lines.size();
    long now = context.currentSystemTimeMs();
    lastInputMs = lastSnapshotMs = lastReportMs = now;
    lastReportTokens = learner.tokens();
    if (learner.tokens() > 0) {
      LOG.info("model '{}' restored: {} records, {} tokens ({} records replayed), last snapshot version {}",
          settings.modelId(), records, learner.tokens(), replayed, store.meta().snapshotVersion());
      // the query side gets the model at once if it is exactly the last published one
      if (learner.tokens() == store.meta().snapshotTokens()) notifyListener(learner.snapshot(store.meta().snapshotVersion()));
    }
    context.schedule(Duration.ofMillis(settings.tickMs()), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    context.schedule(Duration.ofMillis(settings.metricsEveryMs()), PunctuationType.WALL_CLOCK_TIME, this::report);
  }

  @Override
  public void process(Record<String, String> record) {
    String line = record.value();
    if (line == null || line.isEmpty()) return;   // the validator never sends these; a hand-written record might
    learner.learn(Arrays.asList(line.split(" ")));
    records++;
    store.append(records, line);
    lastInputMs = context.currentSystemTimeMs();
    if (records % settings.checkpointEveryRecords() == 0) {
      long t0 = System.nanoTime();
      store.checkpoint(learner, records);
      checkpointSeconds = (System.nanoTime() - t0) / 1e9;
    }
    if (learner.tokens() - store.meta().snapshotTokens() >= settings.snapshotEveryTokens()) publishSnapshot(lastInputMs);
  }

  /** Time-driven snapshots: while tokens arrive (snapshot.interval.ms), and once after idle.snapshot.ms without input. */
  private void onTick(long now) {
    if (learner.tokens() == store.meta().snapshotTokens()) return;   // nothing new since the last snapshot
    if (now - lastSnapshotMs >= settings.snapshotEveryMs() || now - lastInputMs >= settings.idleSnapshotMs()) publishSnapshot(now);
  }

  private void publishSnapshot(long now) {
    long t0 = System.nanoTime();
    long version = store.meta().snapshotVersion() + 1;
    ModelSnapshot snapshot = learner.snapshot(version);
    byte[] encoded = SnapshotCodec.encode(snapshot);
    List<byte[]> chunks = SnapshotChunks.split(version, encoded, settings.chunkBytes());
    for (int i = 0; i < chunks.size(); i++) {
      context.forward(new Record<>(SnapshotChunks.chunkKey(settings.modelId(), i), Published.chunk(chunks.get(i)), now));
    }
    store.snapshotPublished(version, learner.tokens());
    lastSnapshotMs = now;
    snapshotBytes = encoded.length;
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
    Map<String, Double> v = new LinkedHashMap<>(learner.stats());
    double seconds = (now - lastReportMs) / 1000.0;
    v.put("records", (double) records);
    v.put("tokens_per_sec", seconds > 0 ? (learner.tokens() - lastReportTokens) / seconds : Double.NaN);
    v.put("snapshot_version", (double) store.meta().snapshotVersion());
    v.put("snapshot_bytes", snapshotBytes);
    v.put("snapshot_seconds", snapshotSeconds);
    v.put("checkpoint_seconds", checkpointSeconds);
    v.put("replayed_records", (double) replayed);
    v.put("dlq_records", (double) status.deadLettered());
    TrainingReport report = new TrainingReport(settings.modelId(), now, v);
    lastReportMs = now;
    lastReportTokens = learner.tokens();
    status.publish(report);
    try {
      context.forward(new Record<>(settings.modelId(), Published.metrics(JSON.writeValueAsBytes(report.toJsonMap())), now));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of numbers always serializes", e);
    }
  }
}
