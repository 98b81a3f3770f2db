package io.streamvec.app.topology;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ModelsConfig;
import io.streamvec.app.status.TrainingStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole app on one screen:
 *
 * <pre>
 *   input topics (bytes) -> validate + route to a model (one task per input partition)
 *     -> dead letters (bad records, unknown-model) ---------------------------> dlq.topic
 *     -> token lines keyed by model -> ["model" repartition topic, model.partitions partitions]
 *          -> train (stores: model-rows, model-global, replay-log [, models-state])
 *               -> snapshot chunks "model/i" -> snapshots.topic
 *               -> compact snapshot, key model -> history.topic
 *               -> metrics JSON, key model   -> metrics.topic
 *               -> lines of a failed model   -> dlq.topic
 * </pre>
 *
 * Input is read as raw bytes so that a record that is not UTF-8 is our decision (a dead letter),
 * not a deserializer exception. A model lives in exactly one partition of the model topic (by its
 * name), so one task is its single writer and its records keep their order; more partitions spread
 * many models over stream threads and instances. With more than one input partition the repartition
 * topic fixes one order of all of them; training and recovery both follow exactly that order. With
 * a single input partition and a single model partition that partition already is one order, so
 * training follows validation in the same task: the token lines are not written to and read back
 * from the broker a second time, the trainer learns the validator's tokens as they are ({@link
 * TokenLine}), and training does not wait for the validating task's transaction to commit before it
 * sees them (behind that hop the trainer would sit idle for most of each commit interval). The
 * stores, their changelogs and the exactly-once transaction (input offsets + stores + outputs) are
 * the same in both shapes, and so is the model: the same lines in the same order. {@code model.id}
 * keeps the three stores of a one-model app; the other models share {@value #MODELS_STORE}, which
 * exists only when the app trains several ({@link ModelTables}).
 *
 * <p>How to run: {@code ./streamvec app} (see {@link io.streamvec.app.StreamvecApp}).
 */
public final class StreamvecTopology {
  private StreamvecTopology() {}

  public static final String ROWS_STORE = "model-rows";
  public static final String GLOBAL_STORE = "model-global";
  public static final String REPLAY_STORE = "replay-log";
  public static final String MODELS_STORE = "models-state";

  /**
   * Name of the repartition step: Kafka Streams creates the topic {@code
   * <application.id>-model-repartition}.
   */
  public static final String REPARTITION = "model";

  public static final String VALIDATE = "validate";
  public static final String TRAIN = "train";

  /**
   * listener gets every snapshot right after it was handed to Kafka (the query API serves from it).
   * inputPartitions = partitions of all input topics together; 1 (with model.partitions=1) trains
   * in the validating task, anything else behind the repartition hop.
   */
  public static StreamsBuilder build(
      StreamsBuilder builder,
      AppConfig config,
      TrainingStatus status,
      SnapshotListener listener,
      int inputPartitions) {
    Serde<byte[]> bytes = Serdes.ByteArray();
    ModelsConfig models = config.models();
    int maxRecordBytes = config.getInt(AppKeys.MAX_RECORD_BYTES),
        maxLineChars = config.model().maxLineChars;
    TrainerSettings trainer = TrainerSettings.from(config);
    String dlq = config.get(AppKeys.DLQ_TOPIC);
    List<String> stores = new ArrayList<>(List.of(ROWS_STORE, GLOBAL_STORE, REPLAY_STORE));
    // logged (changelog) + cached: checkpoint writes are deduplicated within a commit interval
    builder.addStateStore(store(ROWS_STORE, Serdes.Integer()));
    builder.addStateStore(store(GLOBAL_STORE, Serdes.String()));
    // the replay log's open batch is put once per commit, not once per line (ModelStore)
    builder.addStateStore(DeferredPutStore.builder(REPLAY_STORE, Serdes.Long()));
    if (!models.single()) {
      builder.addStateStore(DeferredPutStore.builder(MODELS_STORE, Serdes.String()));
      stores.add(MODELS_STORE);
    }

    Map<String, KStream<byte[], Checked>> checked =
        builder.stream(models.inputTopics(), Consumed.with(bytes, bytes).withName("input"))
            .process(
                () -> new ValidateProcessor(maxRecordBytes, maxLineChars, status, models),
                Named.as(VALIDATE))
            .split(Named.as("checked-"))
            .branch((key, c) -> c.isDeadLetter(), Branched.as("dead"))
            .defaultBranch(Branched.as("good"));
    // dead letters keep their key, value and headers; the validator added the reason headers
    checked
        .get("checked-dead")
        .mapValues(Checked::deadValue, Named.as("dead-value"))
        .to(dlq, Produced.with(bytes, bytes).withName("dlq"));

    KStream<String, TokenLine> lines =
        checked
            .get("checked-good")
            .map((key, c) -> KeyValue.pair(c.model(), c.line()), Named.as("key-by-model"));
    if (inputPartitions != 1 || models.partitions() != 1) {
      lines =
          lines.repartition(
              Repartitioned.with(Serdes.String(), TokenLine.SERDE)
                  .withName(REPARTITION)
                  .withNumberOfPartitions(models.partitions()));
    }
    Map<String, KStream<String, Published>> published =
        lines
            .process(
                () -> new TrainingProcessor(trainer, models, status, listener),
                Named.as(TRAIN),
                stores.toArray(String[]::new))
            .split(Named.as("published-"))
            .branch((key, p) -> p.snapshotChunk(), Branched.as("snapshot"))
            .branch((key, p) -> p.historyChunk(), Branched.as("history"))
            .branch((key, p) -> p.deadLetter(), Branched.as("dead"))
            .defaultBranch(Branched.as("metrics"));
    published
        .get("published-snapshot")
        .mapValues(Published::value, Named.as("chunk-value"))
        .to(
            config.get(AppKeys.SNAPSHOTS_TOPIC),
            Produced.with(Serdes.String(), bytes).withName("snapshots"));
    published
        .get("published-history")
        .mapValues(Published::value, Named.as("history-value"))
        .to(config.historyTopic(), Produced.with(Serdes.String(), bytes).withName("history"));
    published
        .get("published-metrics")
        .mapValues(Published::value, Named.as("metrics-value"))
        .to(
            config.get(AppKeys.METRICS_TOPIC),
            Produced.with(Serdes.String(), bytes).withName("metrics"));
    published
        .get("published-dead")
        .mapValues(Published::value, Named.as("failed-value"))
        .to(dlq, Produced.with(Serdes.String(), bytes).withName("failed-dlq"));
    return builder;
  }

  private static <K> StoreBuilder<KeyValueStore<K, byte[]>> store(String name, Serde<K> keys) {
    return Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), keys, Serdes.ByteArray())
        .withCachingEnabled();
  }
}
