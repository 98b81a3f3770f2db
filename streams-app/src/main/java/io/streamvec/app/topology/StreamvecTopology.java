package io.streamvec.app.topology;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.model.ModelSnapshot;
import java.util.Map;
import java.util.function.Consumer;
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
import org.apache.kafka.streams.state.Stores;

/**
 * The whole app on one screen:
 *
 * <pre>
 *   input.topics (bytes) -> validate (one task per input partition: tokenize in parallel)
 *     -> dead letters ------------------------------------------------> dlq.topic
 *     -> token lines keyed by model.id -> ["model" repartition topic (1 partition: one writer)]
 *          -> train (stores: model-rows, model-global, replay-log) -> snapshot chunks -> snapshots.topic
 *                                                                  -> metrics JSON    -> metrics.topic
 * </pre>
 *
 * Input is read as raw bytes so that a record that is not UTF-8 is our decision (a dead letter),
 * not a deserializer exception. With more than one input partition the repartition topic fixes one
 * order of all of them; training and recovery both follow exactly that order. With a single input
 * partition that partition already is one order, so training follows validation in the same task:
 * the token lines are not written to and read back from the broker a second time, and training does
 * not wait for the validating task's transaction to commit before it sees them (behind that hop the
 * trainer would sit idle for most of each commit interval). The stores, their changelogs and the
 * exactly-once transaction (input offsets + stores + outputs) are the same in both shapes, and so
 * is the model: the same lines in the same order.
 *
 * <p>How to run: {@code ./streamvec app} (see {@link io.streamvec.app.StreamvecApp}).
 */
public final class StreamvecTopology {
  private StreamvecTopology() {}

  public static final String ROWS_STORE = "model-rows";
  public static final String GLOBAL_STORE = "model-global";
  public static final String REPLAY_STORE = "replay-log";

  /**
   * Name of the repartition step: Kafka Streams creates the topic {@code
   * <application.id>-model-repartition}.
   */
  public static final String REPARTITION = "model";

  public static final String VALIDATE = "validate";
  public static final String TRAIN = "train";

  /**
   * listener gets every snapshot right after it was handed to Kafka (the query API serves from it).
   * inputPartitions = partitions of all input topics together; 1 trains in the validating task, any
   * other number behind the repartition hop.
   */
  public static StreamsBuilder build(
      StreamsBuilder builder,
      AppConfig config,
      TrainingStatus status,
      Consumer<ModelSnapshot> listener,
      int inputPartitions) {
    Serde<byte[]> bytes = Serdes.ByteArray();
    String modelId = config.get(AppKeys.MODEL_ID);
    int maxRecordBytes = config.getInt(AppKeys.MAX_RECORD_BYTES),
        maxLineChars = config.model().maxLineChars;
    TrainerSettings trainer = TrainerSettings.from(config);
    // logged (changelog) + cached: checkpoint writes are deduplicated within a commit interval
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(ROWS_STORE), Serdes.Integer(), bytes)
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(GLOBAL_STORE), Serdes.String(), bytes)
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(REPLAY_STORE), Serdes.Long(), bytes)
            .withCachingEnabled());

    Map<String, KStream<byte[], Checked>> checked =
        builder.stream(
                config.getList(AppKeys.INPUT_TOPICS), Consumed.with(bytes, bytes).withName("input"))
            .process(
                () -> new ValidateProcessor(maxRecordBytes, maxLineChars, status),
                Named.as(VALIDATE))
            .split(Named.as("checked-"))
            .branch((key, c) -> c.isDeadLetter(), Branched.as("dead"))
            .defaultBranch(Branched.as("good"));
    // dead letters keep their key, value and headers; the validator added the reason headers
    checked
        .get("checked-dead")
        .mapValues(Checked::deadValue, Named.as("dead-value"))
        .to(config.get(AppKeys.DLQ_TOPIC), Produced.with(bytes, bytes).withName("dlq"));

    KStream<String, String> lines =
        checked
            .get("checked-good")
            .map((key, c) -> KeyValue.pair(modelId, c.line()), Named.as("key-by-model"));
    if (inputPartitions != 1) {
      lines =
          lines.repartition(
              Repartitioned.with(Serdes.String(), Serdes.String())
                  .withName(REPARTITION)
                  .withNumberOfPartitions(1));
    }
    Map<String, KStream<String, Published>> published =
        lines
            .process(
                () -> new TrainingProcessor(trainer, status, listener),
                Named.as(TRAIN),
                ROWS_STORE,
                GLOBAL_STORE,
                REPLAY_STORE)
            .split(Named.as("published-"))
            .branch((key, p) -> p.snapshotChunk(), Branched.as("snapshot"))
            .defaultBranch(Branched.as("metrics"));
    published
        .get("published-snapshot")
        .mapValues(Published::value, Named.as("chunk-value"))
        .to(
            config.get(AppKeys.SNAPSHOTS_TOPIC),
            Produced.with(Serdes.String(), bytes).withName("snapshots"));
    published
        .get("published-metrics")
        .mapValues(Published::value, Named.as("metrics-value"))
        .to(
            config.get(AppKeys.METRICS_TOPIC),
            Produced.with(Serdes.String(), bytes).withName("metrics"));
    return builder;
  }
}
