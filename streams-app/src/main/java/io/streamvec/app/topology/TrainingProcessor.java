package io.streamvec.app.topology;

import io.streamvec.app.config.ModelsConfig;
import io.streamvec.app.status.TrainingStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training task: hands each token line to the {@link ModelTrainer} of its model (the record
 * key), the one writer of that model, and drives their clocks (snapshot timer, metrics). With one
 * model (the app as configured by default) that is {@code model.id}, and a failure stops the task:
 * the model never silently starts over. With several, the task holds the models the model topic
 * puts in its partition: those configured for it and those its stores hold are restored at start,
 * new ones start on their first record (at most {@code models.max}); a model whose config or stored
 * state is refused, or whose training fails, stops alone: its records go to the dead-letter topic
 * (reason {@value DeadLetter#MODEL_FAILED}) and the other models go on.
 */
public final class TrainingProcessor implements Processor<String, TokenLine, String, Published> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingProcessor.class);

  /**
   * How often the next slice of a checkpoint or snapshot version being written is due: each is
   * followed by a commit, so the broker's pace sets how fast they go out.
   */
  static final long SLICE_EVERY_MS = 50;

  private final TrainerSettings settings;
  private final ModelsConfig models; // null: one model, settings.modelId()
  private final TrainingStatus status;
  private final SnapshotListener listener;
  private final Map<String, ModelTrainer> trainers = new LinkedHashMap<>();
  private final Map<String, String> failed = new LinkedHashMap<>(); // model -> why
  private ProcessorContext<String, Published> context;
  private final ModelTrainer.Output output =
      new ModelTrainer.Output() {
        @Override
        public void forward(String key, Published value, long timestampMs) {
          context.forward(new Record<>(key, value, timestampMs));
        }

        @Override
        public void commit() {
          context.commit();
        }
      };
  private ModelTables own; // the single-model stores, which model.id keeps
  private KeyValueStore<String, byte[]> shared; // every other model's state; null with one model

  public TrainingProcessor(
      TrainerSettings settings, TrainingStatus status, SnapshotListener listener) {
    this(settings, null, status, listener);
  }

  public TrainingProcessor(
      TrainerSettings settings,
      ModelsConfig models,
      TrainingStatus status,
      SnapshotListener listener) {
    this.settings = settings;
    this.models = models == null || models.single() ? null : models;
    this.status = status;
    this.listener = listener;
  }

  @Override
  public void init(ProcessorContext<String, Published> context) {
    this.context = context;
    int partition = context.taskId().partition();
    if (partition >= (models == null ? 1 : models.partitions())) {
      // a training task beyond the model topic's partitions means the input grew partitions while
      // the app trained them in the validating task (the one-partition shape is chosen at start)
      throw new ModelStateException(
          "training task "
              + context.taskId()
              + " would be a second writer of model '"
              + settings.modelId()
              + "': the input topics gained partitions while the app was running; restart the app"
              + " (it then trains through one repartition topic, and continues the same model from"
              + " its stores)");
    }
    // Kafka Streams may re-initialise the same instance after a failure
    trainers.values().forEach(ModelTrainer::close);
    trainers.clear();
    failed.clear();
    own =
        ModelTables.own(
            context.getStateStore(StreamvecTopology.ROWS_STORE),
            context.getStateStore(StreamvecTopology.GLOBAL_STORE),
            context.getStateStore(StreamvecTopology.REPLAY_STORE));
    Set<String> present = new LinkedHashSet<>();
    if (models == null) present.add(settings.modelId());
    else {
      shared = context.getStateStore(StreamvecTopology.MODELS_STORE);
      for (String name : models.names())
        if (models.partitionOf(name) == partition && configuredHere(name)) present.add(name);
      if (!own.isEmpty()) present.add(models.defaultModel());
      present.addAll(ModelTables.modelsIn(shared));
    }
    long now = context.currentSystemTimeMs();
    for (String name : present) start(name, now);
    context.schedule(
        Duration.ofMillis(settings.tickMs()), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    context.schedule(
        Duration.ofMillis(settings.metricsEveryMs()),
        PunctuationType.WALL_CLOCK_TIME,
        this::report);
    context.schedule(
        Duration.ofMillis(SLICE_EVERY_MS), PunctuationType.WALL_CLOCK_TIME, this::writeSlices);
  }

  /**
   * The next slice of the checkpoints and of the snapshot versions being written, at most
   * checkpoint.slice.bytes and snapshot.slice.bytes for all the task's models together: the models
   * take their turns in order. Both go into the transaction that the commit after them ends.
   */
  private void writeSlices(long now) {
    long[] budget = {settings.checkpointSliceBytes(), settings.snapshotSliceBytes()};
    forEachModel(
        t -> {
          if (!t.sliceMayGo(now)) return; // the learner's queue first
          if (budget[0] > 0) budget[0] -= t.writeSlice(budget[0]);
          if (budget[1] > 0) budget[1] -= t.writeSnapshotSlice(budget[1], now);
        });
  }

  /**
   * Whether a configured model starts with the task: by topic if a topic reaches it (its metrics
   * then come from the start); by key it starts on its first record, like an admitted one.
   */
  private boolean configuredHere(String name) {
    if (models.byKey()) return false;
    if (models.topicToModel().containsValue(name)) return true;
    return name.equals(models.defaultModel())
        && models.inputTopics().stream().anyMatch(t -> !models.topicToModel().containsKey(t));
  }

  private ModelTrainer start(String name, long now) {
    if (models == null) {
      ModelTrainer t = new ModelTrainer(settings, status, listener, new ModelStore(own), output);
      t.restore(now, "streamvec-learner-" + context.taskId());
      trainers.put(name, t);
      return t;
    }
    try {
      ModelTables tables =
          name.equals(models.defaultModel()) ? own : ModelTables.shared(shared, name);
      ModelTrainer t =
          new ModelTrainer(
              settings.forModel(name, models.modelConfig(name)),
              status,
              listener,
              new ModelStore(tables),
              output);
      t.restore(now, "streamvec-learner-" + context.taskId() + "-" + name);
      trainers.put(name, t);
      return t;
    } catch (RuntimeException e) {
      fail(name, e);
      return null;
    }
  }

  @Override
  public void process(Record<String, TokenLine> record) {
    TokenLine line = record.value();
    if (line == null || line.size() == 0)
      return; // the validator never sends these; a hand-written record might
    long now = context.currentSystemTimeMs();
    if (models == null) {
      trainers.get(settings.modelId()).learn(line, now);
      return;
    }
    String name = record.key();
    ModelTrainer t = trainers.get(name);
    if (t == null && !failed.containsKey(name)) {
      if (trainers.size() + failed.size() >= models.maxPerTask()) {
        dead(
            record,
            DeadLetter.MODELS_MAX,
            "this task already holds models.max="
                + models.maxPerTask()
                + " models; raise models.max or model.partitions");
        return;
      }
      t = start(name, now);
    }
    if (t == null) {
      dead(record, DeadLetter.MODEL_FAILED, failed.get(name));
      return;
    }
    try {
      t.learn(line, now);
    } catch (RuntimeException e) {
      fail(name, e);
    }
  }

  private void onTick(long now) {
    forEachModel(t -> t.tick(now));
  }

  private void report(long now) {
    forEachModel(t -> t.report(now));
  }

  private void forEachModel(Consumer<ModelTrainer> action) {
    for (ModelTrainer t : new ArrayList<>(trainers.values())) {
      if (models == null) action.accept(t);
      else
        try {
          action.accept(t);
        } catch (RuntimeException e) {
          fail(t.modelId(), e);
        }
    }
  }

  /** Stops one of several models; Kafka's own errors (fencing, a lost task) stop the task. */
  private void fail(String name, RuntimeException e) {
    if (e instanceof KafkaException) throw e;
    ModelTrainer t = trainers.remove(name);
    if (t != null) t.close();
    String why = e.getClass().getSimpleName() + ": " + e.getMessage();
    failed.put(name, why);
    LOG.error(
        "model '{}' stopped, the other models go on; its records go to the dead-letter topic"
            + " (reason {}) until the app restarts with the cause fixed: {}",
        name,
        DeadLetter.MODEL_FAILED,
        why,
        e);
  }

  private void dead(Record<String, TokenLine> record, String reason, String detail) {
    status.deadLettered(reason);
    RecordMetadata origin = context.recordMetadata().orElse(null);
    Headers headers =
        DeadLetter.headers(
            null,
            reason,
            detail,
            origin == null ? null : origin.topic(),
            origin == null ? -1 : origin.partition(),
            origin == null ? -1 : origin.offset());
    context.forward(
        new Record<>(
            record.key(), Published.dead(record.value().utf8()), record.timestamp(), headers));
  }

  @Override
  public void close() {
    trainers.values().forEach(ModelTrainer::close);
  }

  /** The models this task trains now (tests). */
  List<String> models() {
    return List.copyOf(trainers.keySet());
  }
}
